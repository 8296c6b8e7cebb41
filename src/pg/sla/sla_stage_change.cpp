#include "pg/sla/sla_stage_change.hpp"

#include <array>

#include "pg/calendar/calendar_cache.hpp"
#include "pg/common/guard.hpp"
#include "pg/sla/row_time.hpp"
#include "pg/sla/sla_clock_store.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/rel.h"
}

namespace core = leadscore::core;

namespace leadscore::pg {

namespace {

// When the clocks of the stage entered start: at the stage's stamp when this
// change set it (an INSERT, or an UPDATE that filled or changed it: the CRM
// knows the real MQL date), else now. A stamp kept from an earlier stay
// (first-reach stamps are never overwritten) is not this entry's start.
std::optional<TimestampTz> clock_start(const CompiledAttachment& attachment, TriggerData* data,
                                       core::Stage to, HeapTuple row) {
    const AttrNumber column = attachment.stamp_columns[core::stage_code(to)];
    if (column == 0) {
        return std::nullopt;
    }
    const TupleDesc descriptor = RelationGetDescr(data->tg_relation);
    bool is_null;
    const Datum stamp = heap_getattr(row, column, descriptor, &is_null);
    if (is_null) {
        return std::nullopt;
    }
    if (TRIGGER_FIRED_BY_UPDATE(data->tg_event)) {
        bool old_null;
        const Datum old = heap_getattr(data->tg_trigtuple, column, descriptor, &old_null);
        if (!old_null && DatumGetTimestampTz(old) == DatumGetTimestampTz(stamp)) {
            return std::nullopt;
        }
    }
    return DatumGetTimestampTz(stamp);
}

// What the row says, read as the invoking user before anything runs as the
// extension's owner (an output function is the column type's owner's code).
struct RowFacts {
    // Per policy of the config: its met column as a point in time.
    std::array<std::optional<TimestampTz>, core::kMaxSlaPolicies> met_column;
    Datum owner;  // text, or 0 for NULL
    Datum source;
};

Datum text_of(HeapTuple row, TupleDesc descriptor, AttrNumber column) {
    char* text = column > 0 ? SPI_getvalue(row, descriptor, column) : nullptr;
    return text == nullptr ? Datum(0) : CStringGetTextDatum(text);
}

RowFacts read_row(const CompiledAttachment& attachment, HeapTuple row, TupleDesc descriptor) {
    const CompiledSla& compiled = attachment.sla;
    RowFacts facts{};
    for (std::size_t i = 0; i < facts.met_column.size(); ++i) {
        if (compiled.met_column[i] != 0) {
            facts.met_column[i] = point_in_time(row, descriptor, compiled.met_column[i]);
        }
    }
    facts.owner = text_of(row, descriptor, compiled.owner_column);
    facts.source = text_of(row, descriptor, compiled.source_column);
    return facts;
}

std::optional<TimestampTz> met_column_of(const core::SlaConfig& sla, const RowFacts& facts,
                                         const core::SlaPolicy* policy) {
    if (policy == nullptr) {
        return std::nullopt;
    }
    return facts.met_column[static_cast<std::size_t>(policy - sla.policies.data())];
}

}  // namespace

std::optional<TimestampTz> sla_stage_changed(const CompiledAttachment& attachment,
                                             TriggerData* data, const char* lead_key,
                                             std::optional<core::Stage> from,
                                             std::optional<core::Stage> to, HeapTuple row) {
    const core::SlaConfig& sla = *attachment.config.sla;
    const TimestampTz now = GetCurrentTransactionStartTimestamp();
    const bool entered = to && from != to;

    // The clocks this entry starts, due in their calendars' business time
    // (C++ arithmetic, which may throw: it runs before SPI is entered).
    NewClock starting[core::kMaxSlaPolicies];
    int starting_count = 0;
    if (entered) {
        TimestampTz started = now;
        call_postgres([&] {
            started = clock_start(attachment, data, *to, row).value_or(now);
            if (TIMESTAMP_NOT_FINITE(started)) {
                ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                                errmsg("%s lead %s: an SLA clock cannot start at %s",
                                       attachment.attached_table_name.c_str(), lead_key,
                                       TIMESTAMP_IS_NOBEGIN(started) ? "-infinity" : "infinity"),
                                errhint("Write the date the lead reached the stage into its stamp "
                                        "column, or leave it NULL for now.")));
            }
        });
        for (const core::SlaPolicy& policy : sla.policies) {
            if (policy.stage != *to) {
                continue;
            }
            core::BusinessCalendar& calendar = calendar_named(policy.calendar);
            NewClock& clock = starting[starting_count++];
            clock.policy = &policy;
            clock.stage = *to;
            clock.started = started;
            clock.warn = calendar.add(
                started,
                attachment.sla.warn_after[static_cast<std::size_t>(&policy - sla.policies.data())]);
            clock.due = calendar.add(started, policy.within);
        }
    }

    RowFacts facts;
    Datum key = 0;
    call_postgres([&] {
        facts = read_row(attachment, row, RelationGetDescr(data->tg_relation));
        key = CStringGetTextDatum(lead_key);
    });
    std::optional<TimestampTz> first_due;
    with_clocks([&] {
        // The clocks of the stage left (of every stage, when it left for none).
        for_each_open_clock(attachment, key, to, [&](const OpenClock& clock) {
            const std::optional<TimestampTz> met = core::met_on_leaving(
                clock.policy, to, met_column_of(sla, facts, clock.policy), clock.started, now);
            close_clock(clock,
                        core::closing_status(met, clock.due,
                                             clock.status == core::ClockStatus::Breached, now),
                        met, now);
        });
        for (int i = 0; i < starting_count; ++i) {
            NewClock& clock = starting[i];
            clock.met = core::met_at_start(*clock.policy, met_column_of(sla, facts, clock.policy),
                                           clock.started);
            clock.owner = facts.owner;
            clock.source = facts.source;
            start_clock(attachment, key, clock, now);
            if (!clock.met && (!first_due || clock.due < *first_due)) {
                first_due = clock.due;
            }
        }
        if (TRIGGER_FIRED_BY_INSERT(data->tg_event)) {
            write_lead_columns(attachment, key);
        }
    });
    return first_due;
}

HeapTuple with_sla_columns(const CompiledAttachment& attachment, Relation relation, HeapTuple row,
                           std::optional<TimestampTz> due, bool breached) {
    const CompiledSla& sla = attachment.sla;
    int columns[2];
    Datum values[2];
    bool nulls[2];
    int count = 0;
    const TupleDesc descriptor = RelationGetDescr(relation);
    if (sla.due_column != 0) {
        columns[count] = sla.due_column;
        values[count] = value_for_column(attachment, descriptor, sla.due_column,
                                         due ? TimestampTzGetDatum(*due) : Datum(0), !due);
        nulls[count] = !due;
        ++count;
    }
    if (sla.breached_column != 0) {
        columns[count] = sla.breached_column;
        values[count] = value_for_column(attachment, descriptor, sla.breached_column,
                                         BoolGetDatum(breached), false);
        nulls[count] = false;
        ++count;
    }
    return count == 0 ? row
                      : heap_modify_tuple_by_cols(row, descriptor, count, columns, values, nulls);
}

}  // namespace leadscore::pg
