// Size limits of the JSON documents users define: scoring models, business
// calendars and attach configs. They lie far beyond any real document (the
// default model has 5 fit rules and 9 event types, a calendar some dozen
// holidays a year) and keep validating one, which anyone may ask for
// (leadscore._check_model is PUBLIC), well under a second. Sizes are checked
// before the work they bound: the text's bytes before it is parsed, a list's
// length before its first element is read. Exceeding a limit is
// core::Error 54000 (program_limit_exceeded) naming the size, the excess
// and, in the hint, the limit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leadscore::core {

// Limits apply to the documents users define. A document already stored
// (by a version of leadscore before the limits, which accepted anything) is
// read as it is: an upgrade never makes a stored model, calendar or
// attachment unusable. (Writing it again applies the limits.)
enum class DocumentSource { Definition, Stored };

// Bytes of JSON text, as octet_length(definition::text) counts them; the
// normalised document (every default written out) must fit too, as it is
// what is stored and what a dump restores.
inline constexpr std::size_t kMaxModelBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxCalendarBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxAttachConfigBytes = 1024 * 1024;

// Fit rules, fit groups, engagement groups, event types, frequency rules
// and competitors of a model, each.
inline constexpr std::size_t kMaxModelEntries = 10000;
// Labels, reasons and fit attributes of an attach config, and event types of
// an SLA policy, each.
inline constexpr std::size_t kMaxAttachEntries = 10000;

// Throws Error 54000: "<document> is too large[ at <path>]: <size> <unit>,
// <excess> over the limit of <limit>" with `hint`.
[[noreturn]] void document_too_large(const std::string& document, const std::string& path,
                                     std::size_t size, std::size_t limit, const std::string& unit,
                                     const std::string& hint);

// Fails unless `text` has at most `limit` bytes; `hint_subject` starts the
// hint, e.g. "A scoring model's definition". `normalised`: the text is the
// document with its defaults written out (the message says so).
void check_document_bytes(std::string_view text, std::size_t limit, const std::string& document,
                          const std::string& hint_subject, bool normalised = false);

}  // namespace leadscore::core
