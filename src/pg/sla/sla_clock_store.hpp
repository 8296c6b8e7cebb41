// The statements leadscore's triggers run on leadscore.sla_clocks: read a
// lead's open clocks, close one, start one, and refresh the lead's SLA
// columns after an INSERT. They run inside SPI as the owner of sla_clocks,
// so the CRM's role needs no rights on it.
#pragma once

#include <cstdint>
#include <optional>

#include "pg/common/postgres.hpp"

#include "pg/lifecycle/attachment_cache.hpp"
#include "pg/common/guard.hpp"

extern "C" {
#include "executor/spi.h"
#include "utils/timestamp.h"
}

#include "core/sla/sla_clock.hpp"

namespace leadscore::pg {

// One open clock of a lead, as read (policy: nullptr when the attach config
// no longer has it).
struct OpenClock {
    const core::SlaPolicy* policy;
    TimestampTz started;
    TimestampTz due;
    core::ClockStatus status;
    ItemPointerData tid;  // the version locked
};

// A clock to start.
struct NewClock {
    const core::SlaPolicy* policy;
    core::Stage stage;
    TimestampTz started;
    TimestampTz warn;
    TimestampTz due;
    std::optional<TimestampTz> met;
    Datum owner;  // text; 0 for NULL
    Datum source;
};

// Enters SPI as the owner of sla_clocks; restore_user and leave_clocks undo
// it (after an error, the abort does the rest). Between the two the
// statements below may run. Call inside call_postgres.
struct ClocksSession {
    Oid saved_user;
    int saved_context;
};
ClocksSession enter_clocks();
void restore_user(const ClocksSession& session);
void leave_clocks();

// Runs `fn` inside enter_clocks and leave_clocks, PostgreSQL errors coming
// back as C++ exceptions; `fn` must not throw.
template <typename Fn>
void with_clocks(Fn&& fn) {
    call_postgres([&] {
        const ClocksSession session = enter_clocks();
        PG_TRY();
        { fn(); }
        PG_FINALLY();
        { restore_user(session); }
        PG_END_TRY();
        leave_clocks();
    });
}

// Closes a clock read by query_open_clocks (written directly, as the
// table appender writes: that query locked the version).
void close_clock(const OpenClock& clock, core::ClockStatus status, std::optional<TimestampTz> met,
                 TimestampTz now);
void start_clock(const CompiledAttachment& attachment, Datum key, const NewClock& clock,
                 TimestampTz now);
// After an INSERT: the row is stored, so its SLA columns are written by an
// UPDATE (leadscore._sla_write_lead_columns), in which the CRM's own
// triggers may run (and enter again).
void write_lead_columns(const CompiledAttachment& attachment, Datum key);

// The registration of the relcache callback that marks the statements stale.
void register_clock_store_callbacks();

// The lead's open clocks, locked FOR UPDATE, except those of
// `except_stage`; the rows stay readable while other statements run.
struct OpenClockRows {
    SPITupleTable* table;
    std::uint64_t count;
};
OpenClockRows query_open_clocks(const CompiledAttachment& attachment, Datum key,
                                std::optional<core::Stage> except_stage);
OpenClock open_clock_at(const CompiledAttachment& attachment, const OpenClockRows& rows,
                        std::uint64_t i);

// Calls `visit(const OpenClock&)` for each of the lead's open clocks (as
// query_open_clocks); the visitor may run the statements above.
template <typename Visit>
void for_each_open_clock(const CompiledAttachment& attachment, Datum key,
                         std::optional<core::Stage> except_stage, Visit&& visit) {
    const OpenClockRows rows = query_open_clocks(attachment, key, except_stage);
    for (std::uint64_t i = 0; i < rows.count; ++i) {
        visit(open_clock_at(attachment, rows, i));
    }
}

}  // namespace leadscore::pg
