"""Exercise checkers: call one with your function and read the verdict.

Each ``check_*`` runs your function on cases whose answers it knows and returns a
``Verdict`` (shown as one friendly line in a notebook). ``verdict.passed`` is ``True``
only when every case is right. Checkers never raise: an exercise left as
``raise NotImplementedError`` gets a "not attempted yet" verdict, so a notebook with
unfinished exercises still runs top to bottom.

Every checker draws fresh inputs on each call, never shows the expected value of a case it
judged, enforces the prompt's "do not use X", and accepts right answers in other dtypes.
Layout: ``common`` holds what checkers share (``Verdict``, ``run_cases``, the judges,
``fresh_rng``, the "do not use X" detector); ``lesson01`` ... ``lesson08`` hold each lesson's
checkers, in exercise order. Import them from here: ``from course_utils.checks import
check_one_hot``. Heavy libraries are imported inside the checkers, so importing this package
stays light.
"""

from course_utils.checks.common import (
    ForbiddenCallError,
    Verdict,
    forbid_calls,
    forbidden_names_used,
    fresh_rng,
)
from course_utils.checks.lesson01 import (
    check_bpe_merge,
    check_embedding_memory,
    check_lookup_gradient,
    check_masked_mean,
    check_one_hot,
    check_oov_rate,
)
from course_utils.checks.lesson02 import (
    check_layer_norm,
    check_oov_mean_fill,
    check_orthogonal_widen,
    check_paired_bootstrap,
    check_tied_logit_std,
    check_xavier_uniform,
)
from course_utils.checks.lesson03 import (
    check_alibi_slopes,
    check_causal_swap,
    check_relative_bias,
    check_rope,
)
from course_utils.checks.lesson04 import (
    check_all_but_the_top,
    check_analogy,
    check_cosine_matrix,
    check_mean_pair_cosine,
)
from course_utils.checks.lesson05 import (
    check_adaptive_input_params,
    check_expected_pairs,
    check_keep_probability,
    check_sgns_gradients,
    check_sgns_step,
    expected_pairs_reference,
)
from course_utils.checks.lesson06 import (
    check_mean_vector,
    check_paired_spearman_bootstrap,
    check_purity,
    check_spearman,
)
from course_utils.checks.lesson07 import (
    check_cosine_contributions,
    check_param_count,
    check_unembed,
)
from course_utils.checks.lesson08 import (
    check_index_bytes,
    check_info_nce,
    check_ndcg,
)

__all__ = [
    "ForbiddenCallError",
    "Verdict",
    "check_adaptive_input_params",
    "check_alibi_slopes",
    "check_all_but_the_top",
    "check_analogy",
    "check_bpe_merge",
    "check_causal_swap",
    "check_cosine_contributions",
    "check_cosine_matrix",
    "check_embedding_memory",
    "check_expected_pairs",
    "check_index_bytes",
    "check_info_nce",
    "check_keep_probability",
    "check_layer_norm",
    "check_lookup_gradient",
    "check_masked_mean",
    "check_mean_pair_cosine",
    "check_mean_vector",
    "check_ndcg",
    "check_one_hot",
    "check_oov_mean_fill",
    "check_oov_rate",
    "check_orthogonal_widen",
    "check_paired_bootstrap",
    "check_paired_spearman_bootstrap",
    "check_param_count",
    "check_purity",
    "check_relative_bias",
    "check_rope",
    "check_sgns_gradients",
    "check_sgns_step",
    "check_spearman",
    "check_tied_logit_std",
    "check_unembed",
    "check_xavier_uniform",
    "expected_pairs_reference",
    "forbid_calls",
    "forbidden_names_used",
    "fresh_rng",
]
