"""Size and build time of the whole-city overview map of the default data (budget: 15 MB).

Run ``python benchmarks/bench_map_size.py [out.html]``; prints the file size, the build time
and the size of each layer's payload.
"""

import sys
import tempfile
import time
from pathlib import Path

from lvliang_coverage.inputs.default_data import load_default
from lvliang_coverage.maps.overview import overview_map

BUDGET_MB = 15.0


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "overview.html"
    t0 = time.perf_counter()
    data = load_default()
    t1 = time.perf_counter()
    m = overview_map(data)
    path = m.save(out)
    t2 = time.perf_counter()
    size = path.stat().st_size / 1e6
    print(f"villages {len(data.villages)}, facilities {len(data.facilities)}")
    print(f"load {t1 - t0:.2f} s, map build + save {t2 - t1:.2f} s")
    print(f"{path}: {size:.2f} MB ({size / BUDGET_MB:.0%} of the {BUDGET_MB:g} MB budget)")
    for name, layer in zip(m.layer_names, m._layers, strict=True):
        print(f"  {name:<24} {len(layer.payload) / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
