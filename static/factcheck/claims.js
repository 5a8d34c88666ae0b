// The page's claims arrive in columns (views.article_detail, claim_read.ClaimReader.columns):
// the fields claim_read declares for the page, each with how its value is restored, and the
// rows as the database gave them. claimsFrom() makes each row the claim object the API answers
// with: the same names, booleans as true/false, a text an outer join did not find as "", and
// the approved verdict's fields (named "approved_verdict.<name>") as one object, or null.
export function claimsFrom({ fields, rows }) {
  return rows.map((row) => {
    const claim = {};
    fields.forEach(({ name, type }, i) => {
      let value = row[i];
      if (type === "bool" && value !== null) value = Boolean(value);
      else if (type === "text" && value === null) value = "";
      const dot = name.indexOf(".");
      if (dot === -1) {
        claim[name] = value;
        return;
      }
      const group = name.slice(0, dot);
      if (!(group in claim)) claim[group] = value === null ? null : {}; // its first field: the id
      if (claim[group] !== null) claim[group][name.slice(dot + 1)] = value;
    });
    return claim;
  });
}
