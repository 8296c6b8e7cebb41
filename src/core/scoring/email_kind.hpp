// Email address -> kind, for fit scoring (seed 000: personal and student
// addresses score negative, competitors' domains too).
#pragma once

#include <string_view>

namespace leadscore::core {

enum class EmailKind { Business, Personal, Student, Role, Competitor, Invalid };

std::string_view email_kind_name(EmailKind kind) noexcept;

// In this order: Invalid (not one local part, one "@" and a dotted domain of
// letters, digits and hyphens, within RFC 5321's lengths), Competitor (the
// domain or a parent domain is one of `competitor_domains`, a comma-separated
// list), Student (an academic domain: .edu, .ac.uk, .edu.au and the like, or
// a shipped list of university mail domains), Personal (a shipped list of
// free-mail domains), Role (a shared mailbox such as info@, sales@,
// support@), Business. Case-insensitive; surrounding blanks ignored. Neither
// throws nor allocates.
EmailKind email_kind(std::string_view email, std::string_view competitor_domains = {}) noexcept;

}  // namespace leadscore::core
