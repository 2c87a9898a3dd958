"""What a watch keeps of the changed rows it reads: all of them, or one small row per record it names."""

from dxconnector.dynamics.changes import Watch, _Kept


def kept(watch: Watch, rows: list[dict]) -> list[dict]:
    keeping = _Kept(watch)
    for row in rows:
        keeping.add(row)
    return keeping.rows


def test_a_records_own_table_keeps_every_changed_row_without_its_annotations():
    rows = [{"invoiceid": "a", "versionnumber": 1, "@odata.etag": "W/1"}, {"invoiceid": "a", "versionnumber": 2}]
    assert kept(Watch("invoices", "invoiceid"), rows) == [
        {"invoiceid": "a", "versionnumber": 1},
        {"invoiceid": "a", "versionnumber": 2},
    ]


def test_lines_count_once_per_invoice_with_only_the_invoice_id_kept():
    rows = [{"_invoiceid_value": "a", "invoicedetailid": f"line-{n}", "versionnumber": n, "@odata.etag": "W/x"} for n in range(5)]
    rows.append({"_invoiceid_value": "b", "invoicedetailid": "line-9", "versionnumber": 9})
    assert kept(Watch("invoicedetails", "_invoiceid_value", one_row_per_key=True), rows) == [
        {"_invoiceid_value": "a"},
        {"_invoiceid_value": "b"},
    ]


def test_a_row_the_watch_does_not_want_does_not_hide_a_later_one_it_does():
    watch = Watch(
        "stl3_xeroinvoices",
        "_stl3_invoiceid_value",
        ("_stl3_connectorid_value",),
        only=(("stl3_exportstatus", (3,)),),
        one_row_per_key=True,
    )
    rows = [
        {"_stl3_invoiceid_value": "a", "_stl3_connectorid_value": "c", "stl3_exportstatus": 1},
        {"_stl3_invoiceid_value": "a", "_stl3_connectorid_value": "c", "stl3_exportstatus": 3},
    ]
    assert kept(watch, rows) == [{"_stl3_invoiceid_value": "a", "_stl3_connectorid_value": "c", "stl3_exportstatus": 3}]
    assert all(watch.wants(row) for row in kept(watch, rows))
