"""bench_pages reads wrk's latency histogram back as it was measured."""

from __future__ import annotations

import random

from tests.benchmarks.bench_pages import PageUnderTest, WrkReport, _uncorrected


def _wrk_corrected(histogram: dict[int, int], interval: int) -> dict[int, int]:
    """What wrk 4.1 does to its histogram before reporting (stats_correct in wrk.c), restated: each
    answer of n µs (n >= 2 * interval) adds one at n - interval, n - 2 * interval, ... while above the
    interval. Ascending, so each n is read before anything is added to it."""
    data = dict(histogram)
    for n in sorted(histogram):
        if n < 2 * interval:
            continue
        m = n - interval
        while m > interval:
            data[m] = data.get(m, 0) + histogram[n]
            m -= interval
    return data


def test_wrk_s_correction_is_taken_out_exactly():
    generator = random.Random(6)  # noqa: S311 (test data, not secrets)
    measured: dict[int, int] = {}
    for _ in range(5_000):
        # Mostly quick answers, a few slow ones: the slow ones are what wrk adds answers for.
        slow = generator.random() >= 0.97
        value = generator.randint(5_000, 90_000) if slow else generator.randint(800, 3_000)
        measured[value] = measured.get(value, 0) + 1
    connections, duration_us = 8, 2_000_000
    interval = duration_us // (5_000 // connections)
    corrected = _wrk_corrected(measured, interval)
    assert sum(corrected.values()) > 5_000  # wrk made some up

    uncorrected = _uncorrected(sorted(corrected.items()), duration_us, 5_000, connections)
    assert uncorrected == sorted(measured.items())


def test_a_report_gives_the_answers_measured_and_counts_refusals_and_late_answers_as_errors():
    report = WrkReport(
        requests=10,
        duration_us=1_000_000,
        non_200=2,
        socket_errors={"connect": 0, "read": 1, "write": 0, "timeout": 1},
        latency_us=[(1_000, 5), (2_000, 4)],  # the late answer has no latency
        connections=100,  # fewer answers than connections: wrk corrected nothing
    )

    measurement = report.measurement(PageUnderTest("/health", None, "health"))

    assert measurement.successes == 7
    assert measurement.errors == 4
    assert measurement.per_second == 7.0
    assert measurement.percentile(0.5) == 1.0
    assert measurement.percentile(0.95) == 2.0
