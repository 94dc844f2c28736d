"""PNG plots: fan-out cost and wall time against N, and trigger latency distributions."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def fanout(fan: dict, path: Path) -> None:
    fig, (cost_ax, time_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = {"FanCard": "tab:blue", "MeetingSession": "tab:purple"}
    for view, sizes in fan.items():
        measured = list(sizes.values())
        ns = [r["n"] for r in measured]
        color = colors.get(view, "tab:gray")
        style = "-" if view == "FanCard" else "--"
        cost_ax.plot(
            ns,
            [r["cost"]["ours"]["reads"] for r in measured],
            style,
            marker="o",
            color=color,
            label=f"ours ({view}): reads",
        )
        cost_ax.plot(
            ns,
            [r["cost"]["ours"]["writes"] for r in measured],
            style,
            marker="s",
            color="tab:orange" if view == "FanCard" else "tab:red",
            label=f"ours ({view}): writes",
        )
        med = [r["seconds"]["ours"]["median"] for r in measured]
        err = [
            [m - r["seconds"]["ours"]["p25"] for m, r in zip(med, measured)],
            [r["seconds"]["ours"]["p75"] - m for m, r in zip(med, measured)],
        ]
        time_ax.errorbar(ns, med, yerr=err, fmt=style, marker="o", color=color, capsize=3, label=f"ours ({view})")
        if view == "FanCard":
            cost_ax.plot(ns, ns, ":", marker="^", color="tab:green", label="BulkWriter: writes (0 reads)")
            for name, color2, label in (
                ("bulk_default", "tab:green", "BulkWriter (default, ≤500/s)"),
                ("bulk_unthrottled", "tab:olive", "BulkWriter (unthrottled)"),
            ):
                med2 = [r["seconds"][name]["median"] for r in measured]
                err2 = [
                    [m - r["seconds"][name]["p25"] for m, r in zip(med2, measured)],
                    [r["seconds"][name]["p75"] - m for m, r in zip(med2, measured)],
                ]
                time_ax.errorbar(ns, med2, yerr=err2, fmt=":", marker="^", color=color2, capsize=3, label=label)
    for ax in (cost_ax, time_ax):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("view documents refreshed by one change (N)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    cost_ax.set_ylabel("billed operations")
    cost_ax.set_title("Fan-out cost: reads and writes per change")
    time_ax.set_ylabel("wall time (s), median with p25–p75")
    time_ax.set_title("Fan-out wall time")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency(lat: dict, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 4.4))
    data = [[v * 1000 for v in lat["raw"]["ours"]], [v * 1000 for v in lat["raw"]["baseline"]]]
    labels = ["ours (on_meetings_written)", "baseline (hand-written function)"]
    ax.boxplot(data, vert=False, whis=(5, 95), widths=0.5, showfliers=False)
    ax.set_yticks([1, 2], labels)
    for row, values in enumerate(data, 1):
        jitter = [row + ((i * 37) % 21 - 10) / 60 for i in range(len(values))]
        ax.scatter(values, jitter, s=10, alpha=0.6, color="tab:blue" if row == 1 else "tab:green")
    ax.set_xlabel("domain write → view seen by a snapshot listener (ms)\nbox p25–p75, line p50, whiskers p5–p95")
    ax.set_title(
        f"Trigger latency through the emulator chain ({lat['runs']} writes each)\n"
        f"ours / baseline: p50 {lat['p50_ratio']:.2f}x, p95 {lat['p95_ratio']:.2f}x",
        fontsize=10,
    )
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
