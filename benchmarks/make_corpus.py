"""Generate a large, valid playbook for the benchmarks, deterministically.

    python benchmarks/make_corpus.py --size L --seed 1 /tmp/corpus-L

The corpus is made of *units*: each unit is a copy of the shipped root playbook's documents
(3 rule sets, 6 scripts, 3 calendars) and roster (13 groups), with every document id given a
unit suffix, every `applies_to` / pack audience narrowed to the unit's own groups (keeping its
classes, fields and tags, so items and variants still select by them), and each
material pack copied 6 times (12 packs per unit, launching on consecutive Sundays). So every document is
real, with real Chinese text lengths, and the cross-file references stay valid.

| size | units | groups | rule sets | scripts | calendars | packs | documents |
| ---- | ----- | ------ | --------- | ------- | --------- | ----- | --------- |
| S    | 3     | 39     | 9         | 18      | 9         | 36    | 74        |
| M    | 17    | 221    | 51        | 102     | 51        | 204   | 410       |
| L    | 167   | 2,171  | 501       | 1,002   | 501       | 2,004 | 4,010     |

The seed varies group names, regions, opening dates, sizes and pack prices; the same size
and seed always give byte-identical files. 60 operators share the groups.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from playbook.loader import DOCUMENT_FOLDERS, PACK_FILE, load_file

SHIPPED = Path(__file__).resolve().parent.parent
UNITS = {"S": 3, "M": 17, "L": 167}
OPERATORS = 60
PACK_COPIES = 6
LAUNCH_EVERY = 7
"""Days between two launches in one unit: every Sunday, as the shipped packs launch, with the
day's promotion slots skipped as the shipped calendar does for its two launches."""
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "晓宁雨欣怡静婷丽敏杰涛磊鹏飞航宇轩浩然梓萱子涵思远嘉琪佳颖文博"
CITIES = ("杭州", "苏州", "南京", "合肥", "广州", "深圳", "厦门", "长沙", "武汉", "成都", "重庆", "西安",
          "郑州", "济南", "青岛", "天津", "北京", "沈阳", "昆明", "南宁")

Data = dict[str, Any]


def _read(rel: str, kind: str) -> Data:
    loaded = load_file(SHIPPED, rel, kind)
    if loaded.data is None or loaded.diagnostics:
        raise SystemExit(f"cannot read the shipped {rel}: {loaded.diagnostics}")
    return loaded.data


class _Written(yaml.CSafeDumper):
    """Writes YAML as an editor would: a value used twice is written twice, not as PyYAML's
    `&id001` anchor and `*id001` alias (anchors are rare in hand-written playbooks)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(path: Path, data: Data, schema: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Written, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(f"# yaml-language-server: $schema={schema}\n{text}", encoding="utf-8")


def _walk(value: Any, change: Callable[[Any], Any]) -> Any:
    """A copy of `value` with `change` applied to every mapping and text, depth first."""
    if isinstance(value, dict):
        return change({k: _walk(v, change) for k, v in value.items()})
    if isinstance(value, list):
        return [_walk(v, change) for v in value]
    return change(value)


class Corpus:
    def __init__(self, units: int, seed: int) -> None:
        self.units = units
        self.random = random.Random(seed)
        self.playbook = _read("playbook.yaml", "Playbook")
        self.roster = _read("roster.yaml", "Roster")
        self.layer_of = {t["id"]: t["layer"] for t in self.playbook["group_types"]}
        self.docs: dict[str, list[tuple[str, Data]]] = {}
        for folder, kind in sorted(DOCUMENT_FOLDERS.items()):
            self.docs[folder] = [(p.name, _read(f"{folder}/{p.name}", kind))
                                 for p in sorted((SHIPPED / folder).glob("*.yaml"))]
        self.packs = [(p.parent, _read(f"packs/{p.parent.name}/{PACK_FILE}", "MaterialPack"))
                      for p in sorted((SHIPPED / "packs").glob(f"*/{PACK_FILE}"))]
        self.doc_ids = {d["id"] for docs in self.docs.values() for _, d in docs}
        self.pack_ids = {d["id"] for _, d in self.packs}
        self.launch_days = sorted(dt.datetime.fromisoformat(str(d["launch"]["at"])).date().isoformat()
                                  for _, d in self.packs)
        self.first_launch = dt.date.fromisoformat(self.launch_days[0])

    def operators(self) -> list[Data]:
        names: set[str] = set()
        result = []
        for n in range(OPERATORS):
            name = ""
            while not name or name in names:
                name = self.random.choice(SURNAMES) + "".join(self.random.sample(GIVEN, 2))
            names.add(name)
            result.append({"id": f"op-{n + 1:02d}", "name": name, "capacity": 45,
                           "friend_adds_per_day": 400})
        return result

    def unit_groups(self, unit: int) -> list[Data]:
        city = self.random.choice(CITIES)
        groups = []
        for n, group in enumerate(self.roster["groups"]):
            copy = dict(group)
            copy["id"] = f"{group['id']}-u{unit:03d}"
            copy["name"] = f"{group['name']}·{city}{unit + 1}"
            copy["operator"] = f"op-{(unit * 13 + n) % OPERATORS + 1:02d}"
            opened = dt.date.fromisoformat(group["opened"]) - dt.timedelta(days=self.random.randrange(0, 60))
            copy["opened"] = opened.isoformat()
            if "size" in copy:
                copy["size"] = max(20, int(copy["size"] * self.random.uniform(0.6, 1.2)))
            if "chat_id" in copy:  # WeCom ids are unique: one per group of every unit
                copy["chat_id"] = f"{group['chat_id']}-u{unit:03d}"
            if "robot" in copy:  # so are robots (PB121): a robot posts in the group it names
                copy["robot"] = f"{group['robot']}-u{unit:03d}"
            if "fields" in copy:
                copy["fields"] = {**copy["fields"], "city": city}
            if "cohort_starts" in copy:
                copy["cohort_starts"] = [d for d in copy["cohort_starts"] if d >= copy["opened"]] or [
                    copy["opened"]]
            groups.append(copy)
        return groups

    def narrow(self, groups: list[Data]) -> Callable[[Data], Data]:
        """Turn a scope by group type or layer into the unit's own groups of those types."""

        def change(scope: Data) -> Data:
            types = set(scope.get("group_types", [])) | set(scope.get("types", []))
            layers = set(scope.get("layers", []))
            narrowing = {k: scope[k] for k in ("classes", "fields", "tags") if k in scope}
            if not (types or layers or scope.get("groups")):
                return {"groups": [g["id"] for g in groups], **narrowing}
            picked = [g["id"] for g in groups
                      if g["type"] in types or self.layer_of.get(g["type"]) in layers]
            return {"groups": picked, **narrowing}

        return change

    def rename(self, unit: int, narrow: Callable[[Data], Data]) -> Callable[[Any], Any]:
        def change(value: Any) -> Any:
            if isinstance(value, str):
                if value in self.doc_ids:
                    return f"{value}-u{unit:03d}"
                if value in self.pack_ids:
                    return f"{value}-u{unit:03d}-0"
                return value
            if isinstance(value, dict):
                for key in ("applies_to", "audience"):
                    if isinstance(value.get(key), dict):
                        value = {**value, key: narrow(value[key])}
            return value

        return change

    def launch_exceptions(self, doc: Data) -> Data:
        """A calendar that skips slots on the shipped launch days skips them on every corpus
        launch day instead."""
        exceptions = doc.get("exceptions")
        if not isinstance(exceptions, list):
            return doc
        on_launch = [e for e in exceptions if str(e.get("start")) in self.launch_days]
        if not on_launch:
            return doc
        count = PACK_COPIES * len(self.packs)
        days = [self.first_launch + dt.timedelta(days=LAUNCH_EVERY * n) for n in range(count)]
        others = [e for e in exceptions if e not in on_launch]
        return {**doc, "exceptions": others + [{**on_launch[n % len(on_launch)], "start": d.isoformat()}
                                               for n, d in enumerate(days)]}

    def write(self, out: Path) -> int:
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        shutil.copytree(SHIPPED / "templates", out / "templates")
        all_groups: list[Data] = []
        written = 0
        for unit in range(self.units):
            groups = self.unit_groups(unit)
            all_groups += groups
            change = self.rename(unit, self.narrow(groups))
            for folder, docs in self.docs.items():
                for name, data in docs:
                    copy = self.launch_exceptions(_walk(data, change))
                    _dump(out / folder / name.replace(".yaml", f"-u{unit:03d}.yaml"), copy,
                          f"../schema/{_schema_name(copy['kind'])}")
                    written += 1
            for p, (folder, data) in enumerate(self.packs):
                for n in range(PACK_COPIES):
                    copy = _walk(data, change)
                    copy["id"] = f"{data['id']}-u{unit:03d}-{n}"
                    launch = dt.datetime.fromisoformat(str(copy["launch"]["at"]))
                    day = self.first_launch + dt.timedelta(days=LAUNCH_EVERY * (n * len(self.packs) + p))
                    copy["launch"] = {**copy["launch"], "at": f"{day.isoformat()} {launch:%H:%M}"}
                    product = dict(copy["product"])
                    for key in ("price", "sharer_profit"):
                        if isinstance(product.get(key), int | float):
                            product[key] = round(product[key] * self.random.uniform(0.8, 1.2), 1)
                    copy["product"] = product
                    target = out / "packs" / copy["id"]
                    shutil.copytree(folder, target, ignore=shutil.ignore_patterns(PACK_FILE))
                    _dump(target / PACK_FILE, copy, "../../schema/material-pack.schema.json")
                    written += 1
        playbook = dict(self.playbook)
        playbook["operators"] = self.operators()
        _dump(out / "playbook.yaml", playbook, "schema/playbook.schema.json")
        _dump(out / "roster.yaml", {**self.roster, "groups": all_groups}, "schema/roster.schema.json")
        return written + 2


def _schema_name(kind: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in kind).lstrip("-") + ".schema.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(UNITS), default="S")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    count = Corpus(UNITS[args.size], args.seed).write(args.out)
    print(f"{args.out}: {count} documents (size {args.size}, seed {args.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
