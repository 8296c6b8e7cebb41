// The default transition policy, callable from SQL.
#include "pg/common/guard.hpp"
#include "pg/stage/stage_datum.hpp"

#include "core/stage/transition_policy.hpp"

namespace core = leadscore::core;

namespace {

// NULL arguments mean "no stage": a first assignment, or clearing the stage.
core::Transition transition_args(FunctionCallInfo fcinfo) {
    core::Transition move;
    if (!PG_ARGISNULL(0)) {
        move.from = leadscore::pg::stage_arg(fcinfo, 0);
    }
    if (!PG_ARGISNULL(1)) {
        move.to = leadscore::pg::stage_arg(fcinfo, 1);
    }
    return move;
}

}  // namespace

LEADSCORE_FUNCTION(can_transition) {
    PG_RETURN_BOOL(core::transition_allowed(transition_args(fcinfo)));
}

LEADSCORE_FUNCTION(transition_error) {
    char reason[core::kRefusalCapacity];
    const std::size_t length =
        core::describe_refusal(transition_args(fcinfo), reason, sizeof reason);
    if (length == 0) {
        PG_RETURN_NULL();
    }
    PG_RETURN_TEXT_P(cstring_to_text_with_len(reason, static_cast<int>(length)));
}
