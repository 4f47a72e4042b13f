"""What the executor hands to the reference process: outputs as files, nothing else.

The executor names each file after the step that produced it (`trial-0`, ...,
`rescaled`, `cached-second`, `timed`, `confirm`); the reference process draws the
same inputs under the seeds the supervisor chose, computes the reference and
compares. The executor's own in-process checks stay, as evidence.
"""

import os

from .inputs import fingerprint
from .tensor_file import write_tensors

SUFFIX = ".akgt"


def handover_path(folder: str, name: str) -> str:
    return os.path.join(folder, name + SUFFIX)


class Handover:
    def __init__(self, folder: str):
        self.folder = folder

    def put(self, name: str, values: list, inputs=None, **meta) -> None:
        """Write the outputs of one step (and a fingerprint of the inputs it ran on)."""
        if inputs is not None:
            meta["inputs"] = fingerprint(inputs)
        write_tensors(handover_path(self.folder, name), values, meta)
