"""JupyterHub spawner for Azure Machine Learning compute instances.

The spawner is a thin client of the aml-jupyterhub control plane: every decision
about Azure (which VM size, which workspace, when to stop) is taken there.
"""

from pathlib import Path

__version__ = "0.1.0"

#: JupyterHub templates that go with AMLSpawner: the spawn-pending page carries on
#: across a hub restart, the home page shows each server's project and size.
#: `c.JupyterHub.template_paths = [aml_jupyterhub.TEMPLATES]`
TEMPLATES = str(Path(__file__).parent / "templates")

__all__ = ["__version__", "TEMPLATES"]
