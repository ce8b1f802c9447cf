"""JupyterHub spawner for Azure Machine Learning compute instances.

The spawner is a thin client of the aml-jupyterhub control plane: every decision
about Azure (which VM size, which workspace, when to stop) is taken there.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
