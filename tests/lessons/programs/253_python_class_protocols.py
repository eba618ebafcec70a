# Python classes as lessons write them: operator methods and their reflections, comparisons,
# __len__/__getitem__/__iter__/__bool__/__call__/__contains__/__str__, @property,
# @classmethod, @staticmethod, class attributes, super() and issubclass; a tensor inside;
# exception classes of the program (raise, except by class or base, args, str and repr).
import torch
class Vec:
    count = 0
    def __init__(self, x, y):
        self.x, self.y = x, y
        Vec.count += 1
    def __add__(self, o): return Vec(self.x + o.x, self.y + o.y)
    def __sub__(self, o): return Vec(self.x - o.x, self.y - o.y)
    def __mul__(self, k): return Vec(self.x * k, self.y * k)
    __rmul__ = __mul__
    def __neg__(self): return Vec(-self.x, -self.y)
    def __eq__(self, o): return isinstance(o, Vec) and self.x == o.x and self.y == o.y
    def __lt__(self, o): return self.norm() < o.norm()
    def __hash__(self): return hash((self.x, self.y))
    def __len__(self): return 2
    def __getitem__(self, i): return (self.x, self.y)[i]
    def __iter__(self): return iter((self.x, self.y))
    def __bool__(self): return bool(self.x or self.y)
    def __str__(self): return f"Vec({self.x}, {self.y})"
    def __call__(self, t): return self.x * t + self.y
    def __contains__(self, v): return v in (self.x, self.y)
    @property
    def sq(self): return self.x ** 2 + self.y ** 2
    @classmethod
    def zero(cls): return cls(0, 0)
    @staticmethod
    def dot(a, b): return a.x * b.x + a.y * b.y
    def norm(self): return self.sq ** 0.5
a = Vec(1, 2); b = Vec(3, 4)
print(a + b, a - b, a * 2, 3 * a, -a)
print(a == Vec(1, 2), a != b, a < b, sorted([b, a])[0], max(a, b))
print(len(a), a[1], list(a), bool(Vec.zero()), a(10), 2 in a, a.sq, Vec.dot(a, b), Vec.count)
print(repr(a) == str(a))
x, y = b
print(x, y)
w = torch.tensor(2.0, requires_grad=True)
v = Vec(w, w * 3)
s = v * 2
l = s.x * s.y
l.backward()
print(l, w.grad)
class Base:
    def __init__(self, n): self.n = n
    def describe(self): return f"{type(self).__name__}({self.n})"
class Child(Base):
    def __init__(self, n, m):
        super().__init__(n)
        self.m = m
    def describe(self): return super().describe() + f"+{self.m}"
print(Child(1, 2).describe(), isinstance(Child(1, 2), Base), issubclass(Child, Base))
# exceptions of the program's own classes
class GradError(Exception):
    pass


class ShapeMismatch(ValueError):
    def __init__(self, expected, got):
        super().__init__(f"expected {expected}, got {got}")
        self.expected = expected
try:
    raise GradError("boom")
except GradError as e:
    print("caught", e, repr(e), e.args, type(e).__name__)
try:
    raise ShapeMismatch((2, 3), (3, 2))
except ValueError as e:
    print("value error:", e, e.expected, isinstance(e, ShapeMismatch))
try:
    raise GradError
except Exception as e:
    print("bare:", repr(e))
def check(x):
    if x.grad is None:
        raise GradError("no grad yet")
try:
    check(torch.ones(1, requires_grad=True))
except (TypeError, GradError) as e:
    print(type(e).__name__, e)
