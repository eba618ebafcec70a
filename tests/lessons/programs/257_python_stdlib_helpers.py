# Python's standard library as lessons use it around autograd: type hints, @dataclass
# configs, itertools/functools/collections helpers, copy.deepcopy of a model (its own
# parameters, with requires_grad), copy of a tensor, time for timing, a main() guard.
import copy
import functools
import itertools
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import List, Optional

import torch
torch.manual_seed(0)


@dataclass
class Config:
    lr: float = 0.1
    steps: int = 3
    name: str = "sgd"


def f(x: torch.Tensor, k: int = 2) -> torch.Tensor:
    """x to the k-th power."""
    return x ** k


def main() -> None:
    cfg = Config(lr=0.5)
    print(cfg, cfg.lr, cfg == Config(0.5, 3, "sgd"), cfg == Config())
    x = torch.tensor(3.0, requires_grad=True)
    start = time.time()
    for _ in range(cfg.steps):
        y = f(x)
        y.backward()
    elapsed = time.time() - start
    print(f"{x=}", f"{x.grad=}", f"{y.item()=:.2f}", elapsed >= 0)
    cube = functools.partial(f, k=3)
    print(cube(torch.tensor(2.0)), functools.reduce(lambda a, b: a * b, [1, 2, 3, 4]))
    groups = defaultdict(list)
    for i, c in itertools.product(range(2), "ab"):
        groups[c].append(i)
    print(groups, dict(groups))
    print(list(itertools.chain([1], (2, 3))), list(itertools.accumulate([1, 2, 3])),
          list(itertools.islice(itertools.count(5, 2), 3)), list(itertools.combinations("abc", 2)))
    print(Counter("hello"), Counter("hello").most_common(1), deque([1, 2, 3], maxlen=2))
    model = torch.nn.Linear(2, 1)
    torch.manual_seed(0)
    with torch.no_grad():
        model.weight.fill_(0.5)
    twin = copy.deepcopy(model)
    with torch.no_grad():
        twin.weight.add_(1.0)
    print(model.weight, twin.weight, twin.weight.requires_grad, twin)
    print([n for n, _ in twin.named_parameters()])
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    w2 = copy.deepcopy(w)
    print(w2, w2.is_leaf, w2 is w)
    try:
        copy.deepcopy(w * 2)
    except RuntimeError as e:
        print("RuntimeError:", str(e)[:60])
    nested = {"a": [1, [2, 3]], "b": (4, [5])}
    dup = copy.deepcopy(nested)
    dup["a"][1].append(9)
    print(nested, dup)
    opt: Optional[torch.Tensor] = None
    sizes: List[int] = [1, 2]
    print(opt is None, sizes)


class Plain:
    pass


if __name__ == "__main__":
    main()
    try:
        Plain(1)
    except TypeError as e:
        print("TypeError:", e)
