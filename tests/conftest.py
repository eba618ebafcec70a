import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# The recorded lessons and most golden data come from PyTorch run with
# torch.set_num_threads(1): gradcli models one MKL thread here, whatever this machine has
# (tests that need another count set gradcli.ops.MKL_THREADS themselves). Commands the
# tests start inherit the setting.
os.environ["GRADCLI_TORCH_THREADS"] = "1"
