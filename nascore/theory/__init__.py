"""Theory of Zhu et al. (NeurIPS 2022): Hermite coefficients, infinite-width kernels, bounds.

- :func:`hermite_coefficient`       normalised Hermite coefficients ``mu_r(sigma)``
- :func:`infinite_width_ntk`        limiting NTK of the mixed FC / residual nets
- :func:`lambda_min_bounds`         lower and upper bounds on its minimum eigenvalue
- :func:`generalization_bound`      the SGD generalization bound as a function of lambda_min
- :func:`theory_score`              the bound-derived, training-free architecture score

Which statements are the paper's and which are our own propositions is said in each
function's docstring and in the book's appendix "Eigenvalue bounds".
"""
from nascore.theory.bounds import (LambdaMinBounds, generalization_bound, hadamard_lambda_min,
                                   lambda_min_bounds, theory_score)
from nascore.theory.hermite import hermite_coefficient
from nascore.theory.kernels import (infinite_width_kernels, infinite_width_lambda_min,
                                    infinite_width_ntk, skip_paths)

__all__ = ["LambdaMinBounds", "generalization_bound", "hadamard_lambda_min", "lambda_min_bounds",
           "theory_score", "hermite_coefficient", "infinite_width_kernels", "infinite_width_lambda_min",
           "infinite_width_ntk", "skip_paths"]
