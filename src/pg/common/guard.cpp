#include "pg/common/guard.hpp"

extern "C" {
#include "miscadmin.h"
}

#include <cstring>
#include <exception>
#include <new>

#include "core/common/error.hpp"
#include "core/common/stop_check.hpp"

namespace leadscore::pg {

namespace {

void copy_text(char* out, std::size_t capacity, const char* text) noexcept {
    const std::size_t length = strnlen(text, capacity - 1);
    std::memcpy(out, text, length);
    out[length] = '\0';
}

}  // namespace

bool stop_requested() noexcept {
    return INTERRUPTS_PENDING_CONDITION() && (QueryCancelPending || ProcDiePending) &&
           INTERRUPTS_CAN_BE_PROCESSED();
}

void capture_current_exception(CaughtError& caught) noexcept {
    caught.stop_requested = false;
    caught.postgres_error = nullptr;
    copy_text(caught.sqlstate, sizeof caught.sqlstate, "XX000");
    caught.detail[0] = '\0';
    caught.hint[0] = '\0';
    try {
        throw;
    } catch (const PostgresError& error) {
        caught.postgres_error = error.data;
    } catch (const core::StopRequested&) {
        caught.stop_requested = true;
        copy_text(caught.sqlstate, sizeof caught.sqlstate, "57014");
        copy_text(caught.message, sizeof caught.message,
                  "canceling statement: leadscore was interrupted");
    } catch (const core::Error& error) {
        copy_text(caught.sqlstate, sizeof caught.sqlstate, error.sqlstate());
        copy_text(caught.message, sizeof caught.message, error.what());
        copy_text(caught.detail, sizeof caught.detail, error.detail().c_str());
        copy_text(caught.hint, sizeof caught.hint, error.hint().c_str());
    } catch (const std::bad_alloc&) {
        copy_text(caught.sqlstate, sizeof caught.sqlstate, "53200");
        copy_text(caught.message, sizeof caught.message, "out of memory in leadscore");
    } catch (const std::exception& error) {
        copy_text(caught.message, sizeof caught.message, error.what());
        copy_text(caught.hint, sizeof caught.hint,
                  "This is a bug in leadscore: please report it with the statement that "
                  "raised it.");
    } catch (...) {
        copy_text(caught.message, sizeof caught.message,
                  "leadscore raised an exception of unknown type");
        copy_text(caught.hint, sizeof caught.hint,
                  "This is a bug in leadscore: please report it with the statement that "
                  "raised it.");
    }
}

void raise_caught_error(const CaughtError& caught) {
    if (caught.postgres_error != nullptr) {
        ReThrowError(caught.postgres_error);
    }
    if (caught.stop_requested) {
        // PostgreSQL's own error: "canceling statement due to statement
        // timeout" or "... user request", or FATAL for a terminated backend.
        CHECK_FOR_INTERRUPTS();
        // Not reached while the flags stop_requested() read still hold; in
        // case ProcessInterrupts did not raise, the error below is of the
        // same kind (57014).
    }
    const char* s = caught.sqlstate;
    ereport(ERROR, (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
                    errmsg_internal("%s", caught.message),
                    caught.detail[0] ? errdetail_internal("%s", caught.detail) : 0,
                    caught.hint[0] ? errhint("%s", caught.hint) : 0));
    pg_unreachable();
}

}  // namespace leadscore::pg
