"""Audit summary: counts by rule, by month and by rendering provider, the patients over the session limit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from esi_reference.audit.evaluate import AUDIT_RULE_IDS
from esi_reference.reference import catalogue
from esi_reference.rules import rule_by_id


@dataclass
class Summary:
    totals: dict[str, int]
    by_rule: pd.DataFrame
    by_month: pd.DataFrame
    patients_over_limit: pd.DataFrame
    by_provider: pd.DataFrame

    def to_dict(self) -> dict[str, object]:
        return {
            "totals": self.totals,
            "by_rule": self.by_rule.to_dict("records"),
            "by_month": self.by_month.to_dict("records"),
            "by_provider": self.by_provider.to_dict("records"),
            "patients_over_limit": self.patients_over_limit.assign(
                first_over=self.patients_over_limit["first_over"].astype(str)
            ).to_dict("records"),
        }


def summarise(result) -> Summary:
    f = result.findings
    lines = result.claims.lines
    with_findings = int((result._mask > 0).sum())
    totals = {
        "rows_read": int(result.rows_read),
        "rows_clean": int(len(lines) - with_findings),
        "rows_with_findings": with_findings,
        "rows_rejected": len(result.rejects),
        "findings": len(f),
        "errors": int((f["severity"] == "error").sum()),
        "warnings": int((f["severity"] == "warning").sum()),
        "info": int((f["severity"] == "info").sum()),
        "patients": int(np.count_nonzero(np.bincount(lines["patient_code"].to_numpy()))) if len(lines) else 0,
    }
    counts = f.groupby("rule_id", observed=False).agg(
        findings=("row", "size"), lines=("row", "nunique"), patients=("patient_id", "nunique")
    )
    sev = f.groupby(["rule_id", "severity"], observed=False).size().unstack(fill_value=0)
    rows = []
    for rule_id in AUDIT_RULE_IDS:
        r = rule_by_id(rule_id)
        rows.append(
            {
                "rule_id": rule_id,
                "title": r.title,
                "family": r.family,
                "findings": int(counts.at[rule_id, "findings"]),
                "lines": int(counts.at[rule_id, "lines"]),
                "patients": int(counts.at[rule_id, "patients"]),
                "errors": int(sev.at[rule_id, "error"]) if "error" in sev.columns else 0,
                "warnings": int(sev.at[rule_id, "warning"]) if "warning" in sev.columns else 0,
                "info": int(sev.at[rule_id, "info"]) if "info" in sev.columns else 0,
                "sources": " ".join(r.sources),
            }
        )
    by_rule = pd.DataFrame(rows)
    month = f["date_of_service"].to_numpy().astype("datetime64[M]").astype(str) if len(f) else np.array([], str)
    by_month = (
        pd.DataFrame({"month": month, "rule_id": f["rule_id"].astype(str).to_numpy()})
        .groupby(["month", "rule_id"])
        .size()
        .rename("findings")
        .reset_index()
    )
    freq = f[f["rule_id"] == "LCD-FREQUENCY"]
    if len(freq):
        codes = freq["code"].astype(str)
        region = codes.map({c: catalogue.lookup(c).region_family for c in codes.unique()}).to_numpy()
        over = (
            freq.assign(region_family=region)
            .groupby(["patient_id", "region_family"], observed=True)
            .agg(first_over=("date_of_service", "min"), sessions_over=("date_of_service", "nunique"))
            .reset_index()
        )
    else:
        over = pd.DataFrame({"patient_id": [], "region_family": [], "first_over": [], "sessions_over": []})
    totals["patients_over_limit"] = int(over["patient_id"].nunique()) if len(over) else 0
    by_provider = (
        pd.DataFrame(
            {
                "rendering_provider": f["rendering_provider"].astype(str).to_numpy(),
                "error": (f["severity"] == "error").to_numpy(),
                "row": f["row"].to_numpy(),
            }
        )
        .groupby("rendering_provider")
        .agg(findings=("row", "size"), lines=("row", "nunique"), errors=("error", "sum"))
        .reset_index()
        .sort_values("findings", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    return Summary(totals=totals, by_rule=by_rule, by_month=by_month, patients_over_limit=over, by_provider=by_provider)
