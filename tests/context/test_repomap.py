"""The repo map: tags, cache, ranking, the token budget, and choosing files, on real git repos."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git
from vibecli.context.cache import TagCache
from vibecli.context.repomap import RepoContext, RepoMap, estimate_tokens

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "repomap.golden"

FILES = {
    "shop/cart.py": (
        "from shop.prices import price_of, Discount\n\n\n"
        "class Cart:\n"
        "    def __init__(self):\n        self.items = []\n\n"
        "    def add_item(self, name, quantity=1):\n        self.items.append((name, quantity))\n\n"
        "    def total(self):\n        return sum(price_of(n) * q for n, q in self.items)\n\n"
        "    def total_after(self, discount: Discount):\n        return discount.apply(self.total())\n"
    ),
    "shop/prices.py": (
        "PRICES = {'apple': 3, 'pear': 4}\n\n\n"
        "def price_of(name):\n    return PRICES[name]\n\n\n"
        "class Discount:\n    def __init__(self, percent):\n        self.percent = percent\n\n"
        "    def apply(self, amount):\n        return amount * (100 - self.percent) // 100\n"
    ),
    "shop/cli.py": (
        "from shop.cart import Cart\n\n\n"
        "def main(argv):\n    cart = Cart()\n    for name in argv:\n        cart.add_item(name)\n"
        "    print(cart.total())\n"
    ),
    "web/checkout.js": (
        "import { formatMoney } from './money.js';\n\n"
        "export class Checkout {\n  constructor(cart) { this.cart = cart; }\n"
        "  render() { return formatMoney(this.cart.total); }\n}\n"
    ),
    "web/money.js": "export function formatMoney(cents) {\n  return (cents / 100).toFixed(2);\n}\n",
    "svc/stock.go": (
        "package svc\n\ntype Stock struct {\n\tCount int\n}\n\n"
        "func (s *Stock) Take(n int) bool {\n\tif n > s.Count {\n\t\treturn false\n\t}\n\ts.Count -= n\n\treturn true\n}\n"
    ),
    "svc/order.go": "package svc\n\nfunc PlaceOrder(s *Stock, n int) bool {\n\treturn s.Take(n)\n}\n",
    "core/ledger.rs": (
        "pub struct Ledger { entries: Vec<i64> }\n\n"
        "impl Ledger {\n    pub fn record(&mut self, amount: i64) { self.entries.push(amount); }\n"
        "    pub fn balance(&self) -> i64 { self.entries.iter().sum() }\n}\n"
    ),
    "README.md": "# shop\n",
}


def make_repo(root: Path, files: dict[str, str] = FILES) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-qm", "initial")
    return root


def whole_map(root: Path, cache: Path | None, focus=(), instruction="", budget=10_000, count=estimate_tokens):
    repo_map = RepoMap(root, cache).scan()
    return repo_map, repo_map.build(list(focus), instruction, budget, count)[0]


def test_the_map_of_a_repository_in_four_languages_matches_the_golden_file(tmp_path):
    root = make_repo(tmp_path / "repo")
    _, found = whole_map(root, None, focus=["shop/cli.py"], instruction="")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(found.text)
    assert found.text == GOLDEN.read_text()


def test_files_a_named_file_uses_rank_above_files_it_does_not(tmp_path):
    root = make_repo(tmp_path / "repo")
    _, found = whole_map(root, None, focus=["shop/cli.py"])
    assert found.files[0] == "shop/cart.py"
    assert found.files.index("shop/prices.py") < found.files.index("core/ledger.rs")
    assert "shop/cli.py" not in found.files  # named files are shown whole, not mapped


WORDS = lambda text: len(text.split())  # noqa: E731
CHARS = len


@pytest.mark.parametrize("count", [estimate_tokens, WORDS, CHARS], ids=["estimate", "words", "chars"])
@pytest.mark.parametrize("budget", [1, 5, 17, 40, 90, 200, 10_000])
def test_the_map_never_exceeds_its_budget_and_fills_it(tmp_path, count, budget):
    root = make_repo(tmp_path / "repo")
    repo_map, found = whole_map(root, None, budget=budget, count=count)
    assert found.tokens == count(found.text) <= budget
    if found.definitions < found.definitions_total:  # one more entry would not have fitted
        ranking = repo_map.ranking([], "")
        bigger = repo_map.render(ranking, budget + 1_000_000, count)
        assert count(bigger.text) > budget


def test_the_budget_holds_with_the_models_own_tokenizer(tmp_path, vocab):
    import llama_cpp

    def count(text: str) -> int:
        data = text.encode()
        buf = (llama_cpp.llama_token * (len(data) + 8))()
        return llama_cpp.llama_tokenize(vocab, data, len(data), buf, len(buf), False, False)

    root = make_repo(tmp_path / "repo")
    for budget in (12, 33, 64, 150):
        _, found = whole_map(root, None, budget=budget, count=count)
        assert 0 < found.tokens == count(found.text) <= budget


def test_a_second_scan_reads_only_what_changed(tmp_path):
    root = make_repo(tmp_path / "repo")
    cache = tmp_path / "tags.sqlite"
    first = RepoMap(root, cache).scan()
    assert first.cache.parsed == 8
    again = RepoMap(root, cache).scan()
    assert again.cache.parsed == 0 and again.tags.keys() == first.tags.keys()
    (root / "web/money.js").write_text("export function formatCents(c) { return c; }\n")
    os.utime(root / "shop/cart.py")  # touched, same bytes: hashed, not parsed
    changed = RepoMap(root, cache).scan()
    assert changed.cache.parsed == 1 and changed.cache.rehashed == 1
    assert changed.tags["web/money.js"].names == ["formatCents"]


def test_deleted_and_renamed_files_leave_the_map(tmp_path):
    root = make_repo(tmp_path / "repo")
    cache = tmp_path / "tags.sqlite"
    RepoMap(root, cache).scan()
    git(root, "mv", "shop/prices.py", "shop/pricing.py")
    git(root, "rm", "-q", "core/ledger.rs")
    _, found = whole_map(root, cache)
    assert "shop/pricing.py" in found.files
    assert "shop/prices.py" not in found.text and "core/ledger.rs" not in found.text


def test_switching_branches_changes_the_map(tmp_path):
    root = make_repo(tmp_path / "repo")
    cache = tmp_path / "tags.sqlite"
    git(root, "checkout", "-qb", "feature")
    (root / "shop/prices.py").write_text("def price_with_tax(name):\n    return 1\n")
    git(root, "commit", "-qam", "tax")
    _, on_feature = whole_map(root, cache)
    git(root, "checkout", "-q", "main")
    _, on_main = whole_map(root, cache)
    assert "price_with_tax" in on_feature.text and "price_with_tax" not in on_main.text
    assert "def price_of(name):" in on_main.text


def test_a_corrupt_cache_is_rebuilt_not_an_error(tmp_path):
    root = make_repo(tmp_path / "repo")
    cache = tmp_path / "tags.sqlite"
    cache.write_bytes(b"this is not a database" * 100)
    repo_map = RepoMap(root, cache).scan()
    assert repo_map.cache.parsed == 8
    assert RepoMap(root, cache).scan().cache.parsed == 0


def test_two_processes_building_at_once_both_succeed(tmp_path):
    root = make_repo(tmp_path / "repo", {**FILES, **{f"gen/m{i}.py": f"def f{i}(x):\n    return f{i - 1}(x)\n" for i in range(200)}})
    cache = tmp_path / "tags.sqlite"
    script = ("import sys; from pathlib import Path; from vibecli.context.repomap import RepoMap; "
              "m = RepoMap(Path(sys.argv[1]), Path(sys.argv[2])).scan(); print(len(m.tags))")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(root), str(cache)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [o[0].strip() for o in outs] == ["208", "208"]
    assert RepoMap(root, cache).scan().cache.parsed == 0


def test_binary_huge_vendored_ignored_and_symlinked_files_are_skipped_and_counted(tmp_path):
    root = make_repo(tmp_path / "repo")
    (root / "blob.py").write_bytes(b"\0\1\2" * 100)
    (root / "huge.py").write_text("x = 1\n" * 200_000)
    (root / "minified.js").write_text("var a=1;" * 5000)
    (root / "node_modules/lib").mkdir(parents=True)
    (root / "node_modules/lib/index.js").write_text("function vendored() {}\n")
    (root / ".gitignore").write_text("ignored.py\n")
    (root / "ignored.py").write_text("def ignored(): pass\n")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "link.py").symlink_to(root / "shop/cart.py")
    repo_map = RepoMap(root, None, max_file_bytes=1_000_000).scan()
    skipped = repo_map.listing.skipped
    assert skipped["binary"] == 1 and skipped["huge"] == 1 and skipped["generated"] == 1
    assert skipped["symlink"] == 1 and skipped["vendored"] == 1
    assert not {"ignored.py", "blob.py", "huge.py", "link.py"} & repo_map.tags.keys()
    assert not any(p.startswith("loop/") for p in repo_map.tags)  # the symlink loop is never entered


def test_outside_git_the_walk_does_not_follow_symlink_loops(tmp_path):
    root = tmp_path / "plain"
    (root / "a").mkdir(parents=True)
    (root / "a/x.py").write_text("def x(): pass\n")
    (root / "a/loop").symlink_to(root, target_is_directory=True)
    repo_map = RepoMap(root, None).scan()
    assert list(repo_map.tags) == ["a/x.py"] and not repo_map.listing.git


def test_files_are_chosen_by_the_words_paths_and_names_of_the_instruction(tmp_path):
    root = make_repo(tmp_path / "repo")
    context = RepoContext(root, None)
    assert context.choose("apply the discount percent as a float", 1)[0].path == "shop/prices.py"
    assert context.choose("format money with a currency sign", 1)[0].path == "web/money.js"
    assert context.choose("in svc/order.go, refuse negative amounts", 1)[0].path == "svc/order.go"
    assert context.choose("Ledger should reject zero amounts", 1)[0].path == "core/ledger.rs"
    assert context.choose("qqq zzz", 2) == []  # no evidence: no guess


def test_the_tag_cache_survives_a_missing_directory(tmp_path):
    root = make_repo(tmp_path / "repo")
    cache = TagCache(tmp_path / "deep" / "er" / "tags.sqlite")
    tags = cache.update(root, {"shop/cart.py": (1, 1)})
    assert tags["shop/cart.py"].names == ["Cart", "__init__", "add_item", "total", "total_after"]
