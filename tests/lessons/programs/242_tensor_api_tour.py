# source: https://pytorch.org/docs/stable/torch.html and https://pytorch.org/docs/stable/tensors.html (the reference's one-line examples of comparison, selection, sorting, masking, splitting and joining functions)
# adapted: the examples gathered in one table and run on two small tensors; each result printed
import torch
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, -1.0, 0.5]])
y = torch.tensor([[1.0, 0.0, 3.0], [2.0, 2.0, 2.0]])
i = torch.tensor([[0, 2, 1], [1, 0, 0]])
m = x > 1
tests = {
 'eq': lambda: x.eq(y), 'ne': lambda: x.ne(y), 'lt': lambda: x.lt(y), 'le': lambda: x.le(y), 'gt': lambda: x.gt(y), 'ge': lambda: x.ge(y),
 'isclose': lambda: x.isclose(y), 'greater': lambda: x.greater(y), 'less': lambda: x.less(y),
 'logical_and': lambda: m.logical_and(m), 'logical_or': lambda: m.logical_or(m), 'logical_not': lambda: m.logical_not(), 'logical_xor': lambda: m.logical_xor(m),
 'isnan': lambda: x.isnan(), 'isinf': lambda: x.isinf(), 'isfinite': lambda: x.isfinite(), 'nonzero': lambda: x.nonzero(), 'count_nonzero': lambda: x.count_nonzero(),
 'sort': lambda: x.sort(), 'argsort': lambda: x.argsort(), 'topk': lambda: x.topk(2), 'kthvalue': lambda: x.kthvalue(2), 'median': lambda: x.median(), 'mode': lambda: x.mode(),
 'unique': lambda: x.unique(), 'cumprod': lambda: x.cumprod(1), 'diff': lambda: x.diff(), 'std_mean': lambda: torch.std_mean(x), 'var_mean': lambda: torch.var_mean(x),
 'aminmax': lambda: x.aminmax(), 'amax': lambda: x.amax(1), 'amin': lambda: x.amin(1), 'nan_to_num': lambda: x.nan_to_num(), 'addcmul': lambda: x.addcmul(y, y), 'addcdiv': lambda: x.addcdiv(y, x),
 'lerp': lambda: x.lerp(y, 0.5), 'masked_fill': lambda: x.masked_fill(m, 0.0), 'masked_select': lambda: x.masked_select(m), 'index_select': lambda: x.index_select(1, torch.tensor([0, 2])),
 'gather': lambda: x.gather(1, i), 'take': lambda: x.take(torch.tensor([0, 4])), 'narrow': lambda: x.narrow(1, 0, 2), 'chunk': lambda: x.chunk(3, 1), 'split': lambda: x.split(1, 1),
 'tensor_split': lambda: x.tensor_split(3, 1), 'unflatten': lambda: x.flatten().unflatten(0, (2, 3)), 'movedim': lambda: x.movedim(0, 1), 'tile': lambda: x.tile((2,)), 'repeat_interleave': lambda: x.repeat_interleave(2),
 'histc': lambda: x.histc(4), 'bincount': lambda: torch.tensor([0, 1, 1]).bincount(),
 'bucketize': lambda: torch.bucketize(x, torch.tensor([0.0, 2.0])), 'searchsorted': lambda: torch.searchsorted(torch.tensor([0.0, 2.0]), x), 'floor_divide': lambda: x.floor_divide(2),
 'remainder': lambda: x.remainder(2), 'fmod': lambda: x.fmod(2), 'numel': lambda: x.numel(), 'dim': lambda: x.dim(), 'new_zeros': lambda: x.new_zeros(2), 'new_ones': lambda: x.new_ones(2), 'new_full': lambda: x.new_full((2,), 3.0),
 'new_tensor': lambda: x.new_tensor([1, 2]), 'new_empty': lambda: x.new_empty(2).shape, 'type_as': lambda: i.type_as(x), 'view_as': lambda: x.flatten().view_as(x), 'reshape_as': lambda: x.flatten().reshape_as(x),
 'triu_': lambda: x.clone().triu_(), 'abs_': lambda: x.clone().abs_(), 'neg_': lambda: x.clone().neg_(),
 'sqrt_': lambda: x.clone().abs().sqrt_(), 'sigmoid_': lambda: x.clone().sigmoid_(), 'relu_': lambda: x.clone().relu_(), 'tanh_': lambda: x.clone().tanh_(), 'log_': lambda: x.clone().abs().log_(), 'clamp_min_': lambda: x.clone().clamp_min_(0),
 'argmax': lambda: x.argmax(1), 'max2': lambda: x.max(1), 'min_other': lambda: x.min(y), 'prod': lambda: x.prod(1), 'where': lambda: torch.where(m, x, y), 'norm_dim': lambda: x.norm(dim=1), 'square': lambda: x.square(),
 'std': lambda: x.std(1), 'mean_keep': lambda: x.mean(1, keepdim=True), 'allclose': lambda: x.allclose(y), 'equal': lambda: x.equal(y), 'all': lambda: m.all(), 'any': lambda: m.any(1), 'sum_bool': lambda: m.sum(),
 'floor': lambda: x.floor(), 'round_dec': lambda: x.round(decimals=1), 'sign': lambda: x.sign(), 'trunc': lambda: x.trunc(), 'frac': lambda: x.frac(), 'flip': lambda: x.flip(0), 'roll': lambda: x.roll(1),
 'triu': lambda: x.triu(), 'diag': lambda: torch.diag(torch.ones(2)), 'einsum': lambda: torch.einsum('ij,ij->i', x, y),
 'inverse': lambda: torch.inverse(torch.eye(2) * 2),
 'vector_norm': lambda: torch.linalg.vector_norm(x), 'det': lambda: torch.det(torch.eye(2)),
 'cat': lambda: torch.cat([x, y]), 'stack': lambda: torch.stack([x, y]), 'hstack': lambda: torch.hstack([x, y]), 'vstack': lambda: torch.vstack([x, y]), 'dstack': lambda: torch.dstack([x, y]).shape, 'column_stack': lambda: torch.column_stack([torch.ones(2), torch.zeros(2)]),
 'meshgrid': lambda: torch.meshgrid(torch.arange(2), torch.arange(3), indexing='ij')[0],
 'full_like': lambda: torch.full_like(x, 2), 'zeros_like': lambda: torch.zeros_like(x), 'empty_like': lambda: torch.empty_like(x).shape, 'eye': lambda: torch.eye(2), 'logspace': lambda: torch.logspace(0, 1, 3), 'tril_indices': lambda: torch.tril_indices(3, 3),
 'clamp_': lambda: x.clone().clamp_(0, 1), 'addmm': lambda: torch.addmm(torch.zeros(2, 2), x, y.T), 'matmul': lambda: x.matmul(y.T), 'mv': lambda: x.mv(torch.ones(3)),
 'sum_dims': lambda: x.sum((0, 1)), 'cummax': lambda: x.cummax(1), 'cummin': lambda: x.cummin(1), 'logaddexp': lambda: x.logaddexp(y), 'deg2rad': lambda: x.deg2rad(),
}
for k, f in tests.items():
    try:
        r = f()
        print(k, 'OK', r)
    except Exception as e:
        print(k, 'ERR', type(e).__name__, str(e)[:80])
