"""Model benchmarks: wall time, agent-steps per second and peak memory, with Mesa's classic
Boltzmann wealth model at the same agent count as the yardstick, measured in the same run.

Each case runs in a fresh process so that its peak memory is its own. Run: ``make bench``.
Targets (DESIGN / issue 2): northern preset <= 3 s; a 1,000,000-resident city at scale 1 over
120 months <= 20 s and <= 4 GB; the full model's agent-steps/s >= 10 x the Boltzmann model's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MILLION = {
    "city.name": "A city of 1,000,000",
    "city.host_households": 455_000,  # x 2.2 persons = 1.0 million residents
    "city.grid_size": 40,
    "inflow.total": 60_000,
    "inflow.duration_months": 36,
    "run.scale": 1.0,
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_arrival_city(overrides: dict, queue) -> None:
    """One full run, counting agent-steps (agents registered, summed over months)."""
    from model import ArrivalCity

    start = time.perf_counter()
    model = ArrivalCity(
        ROOT / "scenarios" / "northern_midsize_asylum.toml", seed=0, overrides=overrides
    )
    built = time.perf_counter()
    agent_steps = 0
    residents = 0.0
    while model.running:
        model.step()
        agent_steps += len(model.agents)
        residents = model.latest["residents"]
    end = time.perf_counter()
    queue.put(
        {
            "wall": end - start,
            "build": built - start,
            "step_time": end - built,
            "agent_steps": agent_steps,
            "agents": len(model.agents),
            "months": model.steps,
            "residents": residents,
            "peak_mb": _peak_mb(),
        }
    )


def run_boltzmann(n_agents: int, steps: int, queue) -> None:
    """Mesa's Boltzmann wealth model: agents as Python objects, activated with shuffle_do."""
    import mesa

    class MoneyAgent(mesa.Agent):
        def __init__(self, model):
            super().__init__(model)
            self.wealth = 1

        def step(self):
            if self.wealth > 0:
                other = self.random.choice(self.model.agent_list)
                other.wealth += 1
                self.wealth -= 1

    class BoltzmannWealth(mesa.Model):
        def __init__(self, n, seed=0):
            super().__init__(rng=seed)
            MoneyAgent.create_agents(self, n)
            self.agent_list = list(self.agents)  # O(1) random choice, as fair as it gets

        def step(self):
            self.agents.shuffle_do("step")

    start = time.perf_counter()
    model = BoltzmannWealth(n_agents)
    built = time.perf_counter()
    for _ in range(steps):
        model.step()
    end = time.perf_counter()
    queue.put(
        {
            "wall": end - start,
            "build": built - start,
            "step_time": end - built,
            "agent_steps": n_agents * steps,
            "agents": n_agents,
            "months": steps,
            "peak_mb": _peak_mb(),
        }
    )


def _in_child(target, *args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--boltzmann-steps",
        type=int,
        default=5,
        help="steps of the Boltzmann model (its rate is per agent-step)",
    )
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()

    rows = []
    northern = _in_child(run_arrival_city, {})
    rows.append(("northern_midsize_asylum (120 mo)", northern, 3.0, None))
    if not args.skip_million:
        million = _in_child(run_arrival_city, MILLION)
        rows.append(("1,000,000 residents, scale 1 (120 mo)", million, 20.0, 4096.0))
        yard_n = million["agents"]
    else:
        yard_n = northern["agents"]
    boltz = _in_child(run_boltzmann, yard_n, args.boltzmann_steps)
    boltz_rate = boltz["agent_steps"] / boltz["step_time"]

    print(f"\narrival-city model benchmark (Python {sys.version.split()[0]}, same run)\n")
    head = (
        f"{'case':<38} {'agents':>9} {'steps':>5} {'build s':>7} {'steps s':>7} "
        f"{'wall s':>7} {'target':>7} {'agent-steps/s':>13} {'x Boltz.':>8} {'peak MB':>8} "
        f"{'target':>7}"
    )
    print(head)
    print("-" * len(head))
    table = [
        (name, r, f"<= {wall_target:g}", f"<= {mem_target:g}" if mem_target else "")
        for name, r, wall_target, mem_target in rows
    ]
    table.append(("Boltzmann wealth (Mesa, shuffle_do)", boltz, "", ""))
    for name, r, wall_target, mem_target in table:
        rate = r["agent_steps"] / r["step_time"]
        print(
            f"{name:<38} {r['agents']:>9,} {r['months']:>5} {r['build']:>7.2f} "
            f"{r['step_time']:>7.2f} {r['wall']:>7.2f} {wall_target:>7} {rate:>13,.0f} "
            f"{rate / boltz_rate:>8.1f} {r['peak_mb']:>8.0f} {mem_target:>7}"
        )
    print(
        "\nagent-steps = Mesa agents registered, summed over steps; agent-steps/s counts stepping "
        "time only,\nfor both models (building either model is in 'build s'). Targets: wall "
        "time and peak memory as shown;\nthe full model's agent-steps/s >= 10 x Boltzmann's."
    )


if __name__ == "__main__":
    main()
