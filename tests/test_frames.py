"""DataFrame exports: the API rows, codes always strings; CSV keeps "0228T" and "62321" as text."""

from __future__ import annotations

import io

import pandas as pd

from esi_reference.reference import catalogue, documentation, ncci
from esi_reference.reference.sources import sources
from esi_reference.views import frames


def test_codes_frame_has_every_catalogue_code_as_string():
    df = frames.codes_frame()
    assert df["code"].tolist() == [c.code for c in catalogue.all_codes()]
    assert all(isinstance(v, str) for v in df["code"])
    assert str(df["mue"].dtype) == "Int64"
    row = df.set_index("code").loc["64480"]
    assert row["primary_codes"] == "64479"
    assert row["kind"] == "add-on"


def test_codes_frame_filters_like_the_catalogue():
    df = frames.codes_frame(family="esi_transforaminal_ultrasound", as_of="2021-01-01")
    assert df.empty
    deleted = frames.codes_frame(kind="deleted")
    assert "62310" in set(deleted["code"])
    assert (deleted["deleted_on"] != "").all()


def test_csv_round_trip_keeps_codes_as_text():
    text = frames.codes_frame().to_csv(index=False)
    back = pd.read_csv(io.StringIO(text), dtype={"code": str})
    assert "0228T" in set(back["code"])
    assert "62321" in set(back["code"])
    # leading zeros of category III codes survive
    assert all(len(c) >= 5 for c in back["code"])


def test_sources_and_documentation_frames_match_the_api():
    assert frames.sources_frame()["id"].tolist() == [s.id for s in sources()]
    doc = frames.documentation_frame()
    assert doc["id"].tolist() == [d.id for d in documentation.documentation_items()]
    assert doc.loc[doc["id"] == "DOC-IMAGES", "applies_to_text"].item() == documentation.APPLIES_TO["image_guided_esi"]
    assert frames.documentation_frame("repeat_esi")["id"].tolist() == ["DOC-PRIOR-RELIEF"]


def test_ptp_frame_for_one_code():
    df = frames.ptp_frame(code="62323")
    assert len(df) == len(ncci.edits_for("62323"))
    assert ((df["column1"] == "62323") | (df["column2"] == "62323")).all()
    pair = df[(df["column1"] == "62323") & (df["column2"] == "77003")]
    assert pair["modifier_indicator"].item() == "1"
    assert "distinct-service modifier" in pair["modifier_meaning"].item()
    never = frames.ptp_frame(code="62321")
    assert set(never.loc[never["modifier_indicator"] == "0", "modifier_meaning"]) == {"never billable together"}
    assert len(frames.ptp_frame()) == len(ncci.ptp_edits())


def test_rules_frame_lists_the_registry():
    from esi_reference.rules import all_rules

    df = frames.rules_frame()
    assert df["id"].tolist() == [r.id for r in all_rules()]
    assert len(df) > 0
    assert set(df.columns) >= {"id", "title", "effective_from", "effective_to", "sources"}
    assert all(isinstance(v, str) for v in df["effective_from"])
