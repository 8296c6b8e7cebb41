// The C++/PostgreSQL boundary.
//
// PostgreSQL reports errors with ereport(), which longjmps; a longjmp across a
// C++ frame skips destructors, and a C++ exception escaping into PostgreSQL
// kills the backend. So every SQL-callable function is defined with
// LEADSCORE_FUNCTION, whose body runs inside a try block: a C++ exception is
// caught, its text copied into a fixed buffer (no allocation inside the catch
// block, where a failing palloc would longjmp out of it), and only after the
// catch block has been left is it raised with ereport(ERROR).
//
// Rule for bodies: PostgreSQL calls that may ereport (detoasting, palloc,
// building tuples) happen only while no C++ object with a destructor is alive
// in the body; C++ work happens in core calls that return plain values. Where
// a C++ object must stay alive around a PostgreSQL call, the call goes through
// call_postgres, which turns a PostgreSQL error into a C++ exception, so the
// object is destroyed on the way out and the error re-raised by the guard.
//
// Cancellation: the core's long loops ask stop_requested() (installed as the
// core's stop hook at module load), which reads PostgreSQL's interrupt flags
// without acting on them; when a cancel, a statement_timeout or a
// termination is pending, the core throws core::StopRequested, and the
// guard, with every C++ frame left, calls CHECK_FOR_INTERRUPTS() to let
// PostgreSQL raise its own error (57014, or FATAL for a terminated backend).
#pragma once

#include "pg/common/postgres.hpp"

namespace leadscore::pg {

// A PostgreSQL error caught by call_postgres, travelling as a C++ exception.
struct PostgresError {
    ErrorData* data;  // copied into the caller's memory context
};

// `fn` must not throw a C++ exception: one leaving the PG_TRY block would
// leave PostgreSQL's error handler pointing into a dead stack frame.
template <typename Fn>
void call_postgres(Fn&& fn) {
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData* volatile error = nullptr;  // set after the longjmp: must be volatile
    PG_TRY();
    { fn(); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        error = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    if (error != nullptr) {
        throw PostgresError{error};
    }
}

// The core's stop hook: true when PostgreSQL has a pending interrupt that
// CHECK_FOR_INTERRUPTS() would turn into an error now (a query cancel,
// which statement_timeout sends too, or a backend termination). Reads flags
// only; never raises.
bool stop_requested() noexcept;

// A caught exception, as plain data that outlives the catch block.
struct CaughtError {
    bool stop_requested;        // the exception was core::StopRequested
    ErrorData* postgres_error;  // set when the exception was a PostgresError
    char sqlstate[6];
    char message[1024];
    char detail[512];
    char hint[512];
};

// Fill `caught` from the exception being handled; call only inside a catch block.
void capture_current_exception(CaughtError& caught) noexcept;

// ereport(ERROR) with what capture_current_exception stored; never returns.
[[noreturn]] void raise_caught_error(const CaughtError& caught);

template <typename Body>
Datum call_guarded(Body body, FunctionCallInfo fcinfo) {
    CaughtError caught;
    try {
        return body(fcinfo);
    } catch (...) {
        capture_current_exception(caught);
    }
    raise_caught_error(caught);
}

}  // namespace leadscore::pg

// Defines the SQL-callable C function `name` with the body that follows,
// run inside the boundary guard.
#define LEADSCORE_FUNCTION(name)                                   \
    static Datum name##_body(FunctionCallInfo fcinfo);             \
    extern "C" {                                                   \
    PG_FUNCTION_INFO_V1(name);                                     \
    }                                                              \
    Datum name(PG_FUNCTION_ARGS) {                                 \
        return ::leadscore::pg::call_guarded(name##_body, fcinfo); \
    }                                                              \
    static Datum name##_body(FunctionCallInfo fcinfo)
