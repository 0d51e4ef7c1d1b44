"""The Grafana dashboard in dashboards/: importable as is, and asking only for what is exported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from printer_async.exporter import FleetCollector, FleetMetrics
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from _farm_support import fill

DASHBOARD = Path(__file__).parents[2] / "dashboards" / "printer-async.json"

_KEYWORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
     "bool", "offset", "inf", "nan"}
)  # fmt: skip


def queries(dashboard: dict) -> list[str]:
    """Every PromQL expression of the dashboard: panel targets and variable queries."""
    found = [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    for variable in dashboard["templating"]["list"]:
        query = variable.get("query")
        if isinstance(query, dict):
            found.append(query["query"])
    return found


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression (or a Grafana label_values() query) reads."""
    match = re.fullmatch(r"\s*label_values\(\s*([\w:]+)\s*,\s*\w+\s*\)\s*", expr)
    if match:
        return {match[1]}
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for found in re.finditer(r"(?<![\w$.])([a-zA-Z_:][\w:]*)\b(?!\s*\()", text):
        if found[1].lower() not in _KEYWORDS:
            names.add(found[1])
    return names


def exported_names() -> set[str]:
    """Every sample name the exporter writes, with every kind of state filled in."""
    metrics = FleetMetrics()
    metrics.notifications = {"sent": 1}
    metrics.config_ok = True
    fill(metrics, "p")
    text = generate_latest(FleetCollector(metrics)).decode()
    return {
        sample.name for family in text_string_to_metric_families(text) for sample in family.samples
    }


@pytest.fixture(name="dashboard")
def _dashboard():
    """The dashboard, as Grafana would import it."""
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def test_every_query_names_only_metrics_the_exporter_exports(dashboard):
    """Each PromQL query reads at least one metric, and only metrics the exporter writes."""
    exported = exported_names()
    all_queries = queries(dashboard)
    assert len(all_queries) >= 15
    for expr in all_queries:
        names = metric_names(expr)
        assert names, f"no metric found in {expr!r}"
        assert names <= exported, f"{expr!r} reads {sorted(names - exported)}, not exported"


def test_the_metric_name_reader_sees_through_promql():
    """The test's PromQL reader finds names, not functions, labels, keywords or variables."""
    expr = (
        'sum by (printer) (rate(a_total{printer=~"$printer",kind="x"}[$__rate_interval])) '
        "and on(printer) (b == 1) or vector(0) * histogram_quantile(0.5, c_bucket[5m])"
    )
    assert metric_names(expr) == {"a_total", "b", "c_bucket"}
    assert metric_names("label_values(raise3d_up, printer)") == {"raise3d_up"}


def test_the_dashboard_imports_as_is_with_the_overview_asked_for(dashboard):
    """The data source is a variable (no input to fill), and the fleet overview is there."""
    text = DASHBOARD.read_text(encoding="utf-8")
    assert "${DS_" not in text
    variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    titles = {panel["title"] for panel in dashboard["panels"]}
    assert {
        "Printers up",
        "Printing",
        "Paused",
        "Idle",
        "Offline",
        "Progress",
        "Time left and ETA",
        "Nozzles",
        "Heatbeds",
        "Completed jobs per day",
        "Poll errors",
    } <= titles
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
