"""The proposal on the sample monolith: its designed seams, recovered (sample_monolith/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from decomposer.config import load_settings
from decomposer.pipeline import analyze
from decomposer.schema import analysis_to_dict


def _shop(*names: str) -> list[str]:
    return sorted(f"shop.{name}" if name else "shop" for name in names)


@pytest.fixture(scope="module")
def document(sample_analysis) -> dict:
    return analysis_to_dict(sample_analysis)


def test_the_designed_seams_are_recovered(document):
    services = {service["name"]: service for service in document["services"]}
    assert {name: service["kind"] for name, service in services.items()} == {
        "payments": "service", "shipping": "service", "orders": "service", "catalog": "service",
        "notifications": "service", "accounts": "service", "reporting": "service", "shared": "shared",
    }
    # Seam 5: the shared kernel is shop.core (and settings), a library, not a service.
    assert services["shared"]["modules"] == _shop(
        "core", "core.db", "core.errors", "core.events", "core.money", "core.utils", "settings")
    # Seam 2: the module in the wrong package goes with shipping, not with catalog.
    assert services["shipping"]["modules"] == _shop(
        "catalog.shipping_rates", "shipping", "shipping.carriers", "shipping.models", "shipping.quotes",
        "shipping.services", "shipping.tracking", "shipping.views", "shipping.zones")
    # Seam 3: the leaf app is a service of its own, exactly.
    assert services["notifications"]["modules"] == _shop(
        "notifications", "notifications.digest", "notifications.email", "notifications.preferences",
        "notifications.service", "notifications.sms", "notifications.templates")
    # Seam 1: orders and payments, tied by an import cycle, are two services (the cycle is a cut
    # for the plan), each with its whole app; the hot checkout stays with orders (seam 4).
    assert services["orders"]["modules"] == _shop(
        "orders", "orders.cart", "orders.checkout", "orders.history", "orders.models", "orders.returns",
        "orders.services", "orders.signals", "orders.views")
    assert services["payments"]["modules"] == _shop(
        "", "payments", "payments.gateway", "payments.invoices", "payments.ledger", "payments.models",
        "payments.providers", "payments.providers.base", "payments.providers.card",
        "payments.providers.paypal", "payments.refunds", "payments.views", "payments.webhooks")
    # Seam 6: the downstream reader stands alone.
    assert services["reporting"]["modules"] == _shop(
        "reporting", "reporting.dashboards", "reporting.exports", "reporting.inventory_report",
        "reporting.sales", "reporting.views")
    # Not designed, found: fraud checks use only customer data, so they sit with accounts.
    assert services["accounts"]["modules"] == _shop(
        "accounts", "accounts.auth", "accounts.models", "accounts.permissions", "accounts.views",
        "payments.fraud")
    assert services["catalog"]["modules"] == _shop(
        "catalog", "catalog.inventory", "catalog.models", "catalog.pricing", "catalog.search",
        "catalog.views", "urls")


def test_every_module_has_exactly_one_service(document):
    listed = sorted(module for service in document["services"] for module in service["modules"])
    assert listed == sorted(record["module"] for record in document["modules"])
    assert {record["service"] for record in document["modules"]} == {
        service["name"] for service in document["services"]}


def test_the_proposal_beats_the_package_layout(document):
    quality = document["quality"]
    assert quality["proposed"] == {
        "groups": 8, "modularity": 0.3908, "sm": 0.1081, "icp": 0.5414, "ifn": 3.25, "ned": 0.0,
        "cochange_cohesion": 0.8937, "largest_share": 0.2031, "crossing_data_links": 15, "crossing_data_share": 0.4545,
        "bcp": None, "crossing_runtime_share": None,
    }
    assert quality["package_layout"] == {
        "groups": 9, "modularity": 0.3537, "sm": 0.0904, "icp": 0.5787, "ifn": 3.3333, "ned": 0.0469,
        "cochange_cohesion": 0.8159, "largest_share": 0.2031, "crossing_data_links": 15, "crossing_data_share": 0.4545,
        "bcp": None, "crossing_runtime_share": None,
    }
    assert quality["random"]["icp"] == 0.9191


def test_stability_is_reported(document):
    stability = document["stability"]
    # Two full reruns (each a consensus of its own runs) a thousand seeds apart agree exactly.
    assert stability["seeds"] == [1042, 2042]
    assert (stability["mean_ari"], stability["min_ari"]) == (1.0, 1.0)
    assert stability["moving_modules"] == []
    confidence = {row["module"]: row["confidence"] for row in document["modules"]}
    assert confidence["shop.core"] is None  # the kernel is no service
    # The borderline modules: the refund flow's, between orders and payments (the designed cycle),
    # least sure; then the fraud check checkout calls and the URL conf that routes to every service.
    assert sorted(module for module, share in confidence.items() if share is not None and share < 0.8) == [
        "shop.orders.returns", "shop.orders.services", "shop.payments.fraud", "shop.urls"]
    assert (confidence["shop.orders.checkout"], confidence["shop.orders.returns"]) == (0.9167, 0.7333)
    assert (confidence["shop.payments.fraud"], confidence["shop.urls"]) == (0.7667, 0.7833)
    assert document["detection"]["resolution"] == 1.0


def test_same_bytes_whatever_the_string_hashing(sample_repo: Path, tmp_path: Path):
    outputs = []
    for hash_seed in ("0", "777"):
        out_dir = tmp_path / hash_seed
        subprocess.run([sys.executable, "-m", "decomposer", "analyze", str(sample_repo), "--out", str(out_dir),
                        "--no-cache", "-q"], check=True,
                       env={**os.environ, "PYTHONHASHSEED": hash_seed})
        outputs.append((out_dir / "analysis.json").read_bytes())
    assert outputs[0] == outputs[1]


def test_a_service_count_can_be_asked_for(sample_repo: Path):
    # About N: the resolution is searched with single runs, then the consensus and the size rules
    # settle the services (README: `--services N`, about N services); here exactly 4.
    document = _analyse(sample_repo, services=4, stability_runs=0)
    assert [(s["name"], s["size"]) for s in document["services"] if s["kind"] == "service"] == [
        ("orders", 28), ("reporting", 13), ("shipping", 9), ("notifications", 7)]
    assert document["detection"]["requested_services"] == 4
    assert document["stability"] is None


def test_without_history_the_proposal_is_structure_alone(sample_repo: Path):
    document = _analyse(sample_repo, history=False, stability_runs=0)
    assert document["quality"]["proposed"]["cochange_cohesion"] is None
    assert json.dumps(document["services"]).count("shop.catalog.shipping_rates") == 1


def test_pins_from_the_repo_config_are_obeyed(sample_repo: Path):
    together = _analyse(sample_repo, stability_runs=0, together=(("shop.orders.*", "shop.payments.*"),))
    service_of = {record["module"]: record["service"] for record in together["modules"]}
    assert service_of["shop.orders.checkout"] == service_of["shop.payments.gateway"]
    assert together["detection"]["together"] == [["shop.orders.*", "shop.payments.*"]]
    apart = _analyse(sample_repo, stability_runs=0, apart=(("shop.catalog.*", "shop.shipping.*"),))
    service_of = {record["module"]: record["service"] for record in apart["modules"]}
    catalog = {service_of[module] for module in service_of if module.startswith("shop.catalog.")}
    shipping = {service_of[module] for module in service_of if module.startswith("shop.shipping.")}
    assert catalog.isdisjoint(shipping)  # shipping_rates now stays apart from shipping


def _analyse(repo_dir: Path, **flags) -> dict:
    return analysis_to_dict(analyze(load_settings(repo_dir, flags, use_config=False)))


def test_betweenness_from_the_forked_worker_is_the_one_computed_here():
    import networkx as nx

    from decomposer.pipeline.proposal import _BETWEENNESS_FROM, _Betweenness
    from decomposer.stages.brittleness import import_betweenness

    graph = nx.relabel_nodes(nx.gnp_random_graph(_BETWEENNESS_FROM, 0.002, seed=3, directed=True),
                             lambda n: f"m{n:04d}")
    with _Betweenness(graph, 7) as early:
        assert early.future is not None  # a worker, from this size on
        found = early.result()
    assert found == import_betweenness(graph, 7)
    assert max(found, key=lambda module: (found[module], module)) == "m1464"
    small = graph.subgraph(sorted(graph)[:100]).copy()
    with _Betweenness(small, 7) as here:
        assert here.future is None and here.result() == import_betweenness(small, 7)
