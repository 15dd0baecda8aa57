"""What probes are written with; everything here runs inside the sandbox, next to the student's code.

- ``core``: the ``@probe`` decorator, the seeded :class:`~autograder.probing.core.Context` a probe
  receives, :class:`~autograder.probing.core.ProbeError`, data files, and outputs with named axes.
- ``params``: seeded parameters for any ``nn.Module``, found and named by ``named_parameters()``.
- ``grads``: backward with a seeded (or given) upstream gradient; every gradient by name.
- ``lazy``: lazy outputs that share one call of the student's code (``once``, ``field``).
- ``optim``: a recorder of what any optimizer sees at each ``step()``.
- ``tensors``: checks and stacking of what the student's code returned.

Probes import from these modules directly (not from this package), so the references of an
assignment go stale only when a module its probes use changes.
"""
