"""Every message a user can see is bilingual: Chinese first, then English (issue 12).

Two halves: bad inputs walked through the command line (exit 2, one line, no traceback,
the file, row and column named once, the message itself in Chinese and English), and a scan
of the package source for error raise sites (and warnings) whose literal message has no
Chinese at all.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from netfixtures import lonlat, write_osm
from typer.testing import CliRunner

import lvliang_coverage
from lvliang_coverage.cli import app
from lvliang_coverage.errors import InputError, OutputError, SolverError
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import both

runner = CliRunner()

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
"""A Chinese character or a full-width punctuation mark."""

ENGLISH = re.compile(r"\b[A-Za-z]{3,}\b(?:\s+\b[A-Za-z]{2,}\b){2,}")
"""Three or more English words in a row: an English phrase, not just a code or a unit."""

ERROR = "错误 / error: "

WORD = re.compile(r"[A-Za-z]{2,}")
"""A word of a literal text: a text of fields and punctuation only is built, not written."""


# ------------------------------------------------------------------ the command line
@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A road, one clinic and three villages that pass: every case breaks one thing."""
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )
    clinics = tmp_path / "clinics.csv"
    lon, lat = lonlat(0.0, 0.0)
    clinics.write_text(f"name,lon,lat\n卫生室,{lon:.7f},{lat:.7f}\n", encoding="utf-8")
    return {"roads": roads, "clinics": clinics}


def village_rows(*, population: str = "120", far: bool = False) -> list[list[str]]:
    """Three villages on the road; the second one's population (and place) as given."""
    rows = []
    for i, (name, x) in enumerate((("村甲", 1000.0), ("村乙", 3500.0), ("村丙", 2000.0))):
        lon, lat = lonlat(x, 0.0)
        if far and i == 1:
            lon += 2.0  # about 180 km east of the road network
        pop = population if i == 1 else "150"
        rows.append([name, pop, f"{lon:.7f}", f"{lat:.7f}"])
    return rows


def write_villages(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(args: list[str]) -> tuple[int, str]:
    """Run the CLI; return the exit code and the one error line (without ``错误 / error:``)."""
    result = runner.invoke(app, args)
    output = result.output
    assert "Traceback" not in output, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in output.splitlines() if line.startswith(ERROR)]
    assert len(lines) == 1, output
    return result.exit_code, lines[0].removeprefix(ERROR)


def check_clinics(tmp_path: Path, files: dict[str, Path], villages: Path, *extra: str) -> list:
    return [
        "clinics",
        "check",
        "--out",
        str(tmp_path / "out"),
        "--no-maps",
        f"--villages={villages}",
        f"--clinics={files['clinics']}",
        f"--roads={files['roads']}",
        *extra,
    ]


def assert_bilingual(message: str) -> None:
    """The message (after where it is) has Chinese words, then an English phrase."""
    assert CJK.search(message), message
    assert ENGLISH.search(message), message
    first_cjk = CJK.search(message).start()
    first_english = ENGLISH.search(message).start()
    assert first_cjk < first_english, f"Chinese first: {message}"


def where(file: Path | str | None = None, row: int | None = None, column: str = "") -> str:
    """The place an error line starts with, as :func:`console.error_text` writes it."""
    parts = [] if file is None else [str(file)]
    if row is not None:
        parts.append(f"第{row}行 / row {row}")
    if column:
        key = "键 / key" if str(file).endswith(".toml") else "列 / column"
        parts.append(column if column.startswith("--") else f"{key} {column!r}")
    return "，".join(parts) + ": "


def test_bad_header_names_the_file_and_the_column(tmp_path, files):
    villages = write_villages(
        tmp_path / "村庄.csv", ["村名", "常住人口", "坐标X", "坐标Y"], village_rows()
    )
    code, line = run(check_clinics(tmp_path, files, villages))
    assert code == 2
    start = where(villages, column="lon")
    assert line.startswith(start), line
    message = line.removeprefix(start)
    assert_bilingual(message)
    assert message.startswith(
        "缺少必需列 'lon'（或使用带几何图形的文件） / missing required column"
    )
    assert message.endswith("(or use a geometry file)")
    assert not (tmp_path / "out").exists()


def test_missing_column_names_the_file_and_the_column(tmp_path, files):
    rows = [[r[0], r[2], r[3]] for r in village_rows()]
    villages = write_villages(tmp_path / "村庄.csv", ["村名", "经度", "纬度"], rows)
    code, line = run(check_clinics(tmp_path, files, villages))
    assert code == 2
    start = where(villages, column="population")
    assert line.startswith(start), line
    message = line.removeprefix(start)
    assert_bilingual(message)
    assert "missing required column 'population'" in message
    assert "常住人口" in message  # among the accepted headers


@pytest.mark.parametrize(
    ("cell", "english"),
    [
        ("一百二", "population is not a number: '一百二'"),
        ("-80", "population must not be negative: -80"),
        ("80.5", "population must be a whole number: 80.5"),
        ("300000", "population 300000 is above 200,000 residents"),
    ],
)
def test_a_bad_number_names_file_row_and_column(tmp_path, files, cell, english):
    villages = write_villages(
        tmp_path / "村庄.csv", ["村名", "常住人口", "经度", "纬度"], village_rows(population=cell)
    )
    code, line = run(check_clinics(tmp_path, files, villages))
    assert code == 2
    start = where(villages, row=2, column="常住人口")
    assert line.startswith(start), line
    message = line.removeprefix(start)
    assert_bilingual(message)
    assert english in message
    assert line.count("row 2") == 1  # the place is named once, not again by str(exc)
    assert line.count(str(villages)) == 1


def test_coordinates_outside_the_area_name_the_row(tmp_path, files):
    villages = write_villages(
        tmp_path / "村庄.csv", ["村名", "常住人口", "经度", "纬度"], village_rows(far=True)
    )
    code, line = run(check_clinics(tmp_path, files, villages))
    assert code == 2
    assert line.startswith(f"{villages}，第2行 / row 2，列 / column "), line
    message = line.partition(": ")[2]
    assert_bilingual(message)
    assert message.startswith("点位超出")
    assert "--drop-outliers" in message


@pytest.mark.parametrize(
    ("text", "key", "english"),
    [
        ("[clinic]\nservice_radius_km = -1\n", "clinic.service_radius_km", "rules key"),
        ("[clinic]\nservice_radius_km = \n", None, "not a valid UTF-8 TOML rules file"),
        ("[clinic]\nradius = 3\n", "clinic.radius", "unknown rules key"),
    ],
)
def test_a_bad_rules_file_names_the_file_and_the_key(tmp_path, files, text, key, english):
    rules = tmp_path / "my_rules.toml"
    rules.write_text(text, encoding="utf-8")
    villages = write_villages(
        tmp_path / "村庄.csv", ["村名", "常住人口", "经度", "纬度"], village_rows()
    )
    code, line = run(check_clinics(tmp_path, files, villages, f"--config={rules}"))
    assert code == 2
    start = where(rules, column=key or "")
    assert line.startswith(start), line
    message = line.removeprefix(start)
    assert_bilingual(message)
    assert english in message
    assert "规则" in message


def test_an_output_folder_that_cannot_be_made_is_named(tmp_path, files):
    villages = write_villages(
        tmp_path / "村庄.csv", ["村名", "常住人口", "经度", "纬度"], village_rows()
    )
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    args = check_clinics(tmp_path, files, villages)
    args[args.index("--out") + 1] = str(blocker / "out")
    code, line = run(args)
    assert code == 2
    start = f"{blocker}: "
    assert line.startswith(start), line
    assert_bilingual(line.removeprefix(start))
    assert "not a folder" in line
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_an_unknown_mode_is_named(tmp_path, files):
    villages = write_villages(
        tmp_path / "村庄.csv", ["村名", "常住人口", "经度", "纬度"], village_rows()
    )
    code, line = run(check_clinics(tmp_path, files, villages, "--mode", "boat"))
    assert code == 2
    start = where(column="--mode")
    assert line.startswith(start), line
    message = line.removeprefix(start)
    assert_bilingual(message)
    assert "'boat'" in message
    assert "walk" in message
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ the error classes
def test_input_error_text_names_the_place_in_both_languages():
    exc = InputError("人口为负 / negative population", file="村.csv", row=2, column="常住人口")
    assert str(exc) == (
        "文件 村.csv，第2行，列 '常住人口' / file 村.csv, row 2, column '常住人口': "
        "人口为负 / negative population"
    )
    assert str(InputError("x", row=3)) == "第3行 / row 3: x"
    assert str(InputError("x", column="--lang")) == "列 '--lang' / column '--lang': x"
    assert str(InputError("只有内容 / only the message")) == "只有内容 / only the message"
    assert exc.message == "人口为负 / negative population"  # the message itself is unchanged
    out = OutputError("输出文件夹不可写 / the output folder is not writable", path="/srv/out")
    assert str(out) == "/srv/out: 输出文件夹不可写 / the output folder is not writable"


def test_solver_error_names_the_status_in_both_languages():
    class Report:
        status = "time_limit"
        message = "Time limit reached"

    exc = SolverError("未找到可行解 / no feasible solution", Report())
    assert str(exc) == (
        "未找到可行解 / no feasible solution (求解状态 / status time_limit: Time limit reached)"
    )


AREA = (111.0, 37.0, 111.5, 37.5)
"""A map area in degrees (EPSG:4326)."""


@pytest.mark.parametrize(
    ("make", "english"),
    [
        (lambda: CoverageMap(AREA, basemap="boat"), "basemap must be one of"),
        (
            lambda: CoverageMap(AREA, basemap="tianditu", tianditu_key=""),
            "basemap 'tianditu' needs a Tianditu key",
        ),
        (lambda: CoverageMap((1.0, 2.0), basemap="none"), "area must be a GeoDataFrame"),
        (
            lambda: CoverageMap((2.0, 2.0, 1.0, 1.0), basemap="none"),
            "the map area is empty or its bounds are invalid",
        ),
        (
            lambda: CoverageMap(AREA, basemap="none").add_circles(
                gpd.GeoDataFrame(geometry=[shapely.Point(111.2, 37.2)], crs=4326), -5.0
            ),
            "radius_m must be a positive number of metres, got -5.0",
        ),
        (
            lambda: CoverageMap(AREA, basemap="none").add_circles(
                gpd.GeoDataFrame(geometry=[shapely.Point(111.2, 37.2)]), 500.0
            ),
            "the layer has no CRS",
        ),
    ],
)
def test_map_errors_are_bilingual(make, english):
    with pytest.raises(InputError, match=re.escape(english)) as err:
        make()
    assert_bilingual(err.value.message)


# ------------------------------------------------------------------ the source scan
PACKAGE = Path(lvliang_coverage.__file__).parent

ERROR_CLASSES = {"InputError", "OutputError", "SolverError", "OfflineError"}

BEING_REWRITTEN = ("services/clinics/visits", "services/clinics/_visits", "network/paths.py")
"""Files another engineer is still writing (issue 12): only these may wait in ALLOWED."""

ALLOWED: set[tuple[str, str]] = set()
"""Messages still English only, by file and literal text (``{}`` for each field): none.

A message may only wait here while its file is in :data:`BEING_REWRITTEN`, with the reason
in a comment; remove the line once the message is bilingual (a line that no longer matches
fails a test below).
"""


def _literal(node: ast.expr | None, constants: dict[str, ast.expr] | None = None) -> str | None:
    """The literal text of a string expression, None if not one.

    A field naming a module constant (``f"{NOT_WRITABLE}: {path}"``) is that constant's
    text; any other field is ``{}``.
    """
    constants = constants or {}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            elif isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name):
                parts.append(_literal(constants.get(v.value.id), constants) or "{}")
            else:
                parts.append("{}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, constants), _literal(node.right, constants)
        if left is None and right is None:
            return None
        return (left or "{}") + (right or "{}")
    return None


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


class _Module:
    """One module's source: functions, module constants, and where each node sits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self.functions = {n.name: n for n in self.tree.body if isinstance(n, ast.FunctionDef)}
        self.constants = {
            t.id: n.value
            for n in self.tree.body
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        self.forwarders = self._forwarders()

    def scope(self, node: ast.AST) -> ast.AST:
        """The function (or module) a node is in."""
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return self.tree

    def _forwarders(self) -> dict[str, int]:
        """Functions passing a parameter on as an error's message: name -> its position."""
        out = {}
        for name, func in self.functions.items():
            params = [a.arg for a in func.args.args]
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and _name(node.func) in ERROR_CLASSES:
                    arg = node.args[0] if node.args else None
                    if isinstance(arg, ast.Name) and arg.id in params:
                        out[name] = params.index(arg.id)
        return out

    def texts(self, arg: ast.expr, call: ast.Call, depth: int = 0) -> list[str]:
        """Literal texts the message ``arg`` of ``call`` can be (empty when not literal)."""
        text = _literal(arg, self.constants)
        if text is not None or depth > 3:
            return [] if text is None else [text]
        if isinstance(arg, ast.Call) and _name(arg.func) == "both" and arg.args:
            key = _literal(arg.args[0])
            return [] if key is None else [both(key)]
        if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name):
            helper = self.functions.get(arg.func.id)
            if helper is None:
                return []
            returned = [n.value for n in ast.walk(helper) if isinstance(n, ast.Return)]
            return [t for v in returned if v is not None for t in self.texts(v, call, depth + 1)]
        if not isinstance(arg, ast.Name):
            return []
        scope = self.scope(call)
        if isinstance(scope, ast.FunctionDef) and arg.id in [a.arg for a in scope.args.args]:
            return []  # a parameter: the callers' texts are checked (forwarders)
        uses = [
            n.lineno
            for n in ast.walk(scope)
            if isinstance(n, ast.Call)
            and n.lineno < call.lineno
            and any(isinstance(a, ast.Name) and a.id == arg.id for a in n.args)
        ]
        since = max(uses, default=0)
        values = [
            n.value
            for n in ast.walk(scope)
            if isinstance(n, ast.Assign)
            and since < n.lineno < call.lineno
            and any(isinstance(t, ast.Name) and t.id == arg.id for t in n.targets)
        ]
        if not values and arg.id in self.constants:
            values = [self.constants[arg.id]]
        return [t for v in values for t in self.texts(v, call, depth + 1)]

    def _message_arg(self, node: ast.Call) -> ast.expr | None:
        """The message argument of an error, a warning or a forwarder call; None otherwise."""
        name = _name(node.func)
        if name in ERROR_CLASSES:
            if node.args:
                return node.args[0]
            return next((k.value for k in node.keywords if k.arg == "message"), None)
        if name == "warn" and _name(getattr(node.func, "value", node.func)) == "warnings":
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Call) and str(_name(arg.func)).endswith("Warning"):
                return arg.args[0] if arg.args else None
            return arg
        if isinstance(node.func, ast.Name) and name in self.forwarders:
            i = self.forwarders[name]
            return node.args[i] if len(node.args) > i else None
        return None

    def messages(self) -> list[tuple[int, str]]:
        """(line, literal text) of every error-class message and warning of the module."""
        out = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                arg = self._message_arg(node)
                if arg is not None:
                    out += [(node.lineno, t) for t in self.texts(arg, node)]
        return out


def english_only_messages() -> dict[tuple[str, str], int]:
    """(file, literal text) -> line of every message with no Chinese character."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for line, text in _Module(path).messages():
            if WORD.search(text) and not CJK.search(text):
                found[rel, text] = line
    return found


def test_the_scan_sees_literal_messages(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text(
        "from lvliang_coverage.errors import InputError\n"
        "import warnings\n"
        "PLAIN = 'plain constant'\n"
        "def f(x):\n"
        "    if x:\n"
        "        msg = f'{x} is bad'\n"
        "    else:\n"
        "        msg = '好 / fine'\n"
        "    raise InputError(msg, column='c')\n"
        "def g():\n"
        "    msg = 'a ValueError message'\n"
        "    raise ValueError(msg)\n"
        "def h():\n"
        "    raise InputError(PLAIN)\n"
        "def k():\n"
        "    warnings.warn('english warning', stacklevel=2)\n"
        "    raise InputError(_text())\n"
        "def _text():\n"
        "    return 'from a helper'\n"
        "def _fail(message, where):\n"
        "    if where:\n"
        "        raise InputError(message)\n"
        "def m(x):\n"
        "    _fail(f'{x} is empty', x)\n",
        encoding="utf-8",
    )
    texts = sorted(t for _, t in _Module(module).messages())
    assert texts == [
        "english warning",
        "from a helper",
        "plain constant",
        "{} is bad",
        "{} is empty",
        "好 / fine",
    ]


def test_every_literal_error_message_has_chinese():
    found = english_only_messages()
    unexpected = {k: v for k, v in found.items() if k not in ALLOWED}
    assert not unexpected, "\n".join(
        f"{path}:{line}: {text!r}" for (path, text), line in sorted(unexpected.items())
    )


def test_the_allow_list_holds_only_messages_still_english():
    found = english_only_messages()
    stale = sorted(key for key in ALLOWED if key not in found)
    assert not stale, f"bilingual now, remove from ALLOWED: {stale}"
    elsewhere = sorted(path for path, _ in ALLOWED if not path.startswith(BEING_REWRITTEN))
    assert not elsewhere, f"only files being rewritten may wait: {elsewhere}"
