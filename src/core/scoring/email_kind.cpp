#include "core/scoring/email_kind.hpp"

#include <algorithm>
#include <array>

#include "core/common/ascii.hpp"
#include "core/stage/stage_labels.hpp"

namespace leadscore::core {

namespace {

// Free-mail providers, the large ones worldwide (sorted, lowercase).
constexpr std::array<std::string_view, 58> kFreeMailDomains = {
    "126.com",        "163.com",        "aol.com",        "att.net",       "bigpond.com",
    "btinternet.com", "comcast.net",    "daum.net",       "email.com",     "fastmail.com",
    "free.fr",        "gmail.com",      "gmx.at",         "gmx.com",       "gmx.de",
    "gmx.net",        "googlemail.com", "hey.com",        "hotmail.co.uk", "hotmail.com",
    "hotmail.de",     "hotmail.fr",     "hotmail.it",     "icloud.com",    "inbox.com",
    "interia.pl",     "laposte.net",    "libero.it",      "live.co.uk",    "live.com",
    "mac.com",        "mail.com",       "mail.ru",        "me.com",        "msn.com",
    "naver.com",      "o2.pl",          "orange.fr",      "outlook.com",   "outlook.de",
    "pm.me",          "proton.me",      "protonmail.com", "qq.com",        "rediffmail.com",
    "rocketmail.com", "sbcglobal.net",  "seznam.cz",      "t-online.de",   "tutanota.com",
    "verizon.net",    "web.de",         "wp.pl",          "yahoo.co.in",   "yahoo.co.jp",
    "yahoo.co.uk",    "yahoo.com",      "yandex.ru",
};

template <std::size_t N>
constexpr bool strictly_sorted(const std::array<std::string_view, N>& list) {
    for (std::size_t i = 1; i < N; ++i) {
        if (!(list[i - 1] < list[i])) {
            return false;
        }
    }
    return true;
}
static_assert(strictly_sorted(kFreeMailDomains), "binary_search needs kFreeMailDomains sorted");

// Academic second-level labels: "x.edu", "x.ac.uk", "x.edu.au", ...
constexpr std::array<std::string_view, 2> kAcademicLabels = {"ac", "edu"};

// Shared mailboxes, not a person.
constexpr std::array<std::string_view, 30> kRoleMailboxes = {
    "accounts", "admin",   "billing", "careers",    "contact",   "enquiries",
    "finance",  "hello",   "help",    "hr",         "info",      "inquiries",
    "jobs",     "legal",   "mail",    "marketing",  "media",     "no-reply",
    "noreply",  "office",  "orders",  "postmaster", "press",     "privacy",
    "sales",    "service", "support", "team",       "webmaster", "abuse",
};

constexpr std::size_t kMaxAddress = 254;
constexpr std::size_t kMaxLocal = 64;

bool is_domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool valid_domain(std::string_view domain) {
    if (domain.empty() || domain.size() > 253 || domain.front() == '.' || domain.back() == '.' ||
        domain.find('.') == std::string_view::npos || domain.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : domain) {
        if (!is_domain_char(c)) {
            return false;
        }
    }
    return true;
}

bool valid_local(std::string_view local) {
    if (local.empty() || local.size() > kMaxLocal || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : local) {
        if (c <= ' ' || c == '@' || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' ||
            c == ';' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\' ||
            static_cast<unsigned char>(c) >= 0x7F) {
            return false;
        }
    }
    return true;
}

// `domain` is `parent` or a subdomain of it ("mail.acme.com" of "acme.com").
bool within(std::string_view domain, std::string_view parent) {
    if (parent.empty() || domain.size() < parent.size()) {
        return false;
    }
    return domain.substr(domain.size() - parent.size()) == parent &&
           (domain.size() == parent.size() || domain[domain.size() - parent.size() - 1] == '.');
}

bool is_competitor(std::string_view domain, std::string_view competitor_domains) {
    while (!competitor_domains.empty()) {
        const std::size_t comma = competitor_domains.find(',');
        const std::string_view entry = trim_blanks(competitor_domains.substr(0, comma));
        if (within(domain, entry)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        competitor_domains.remove_prefix(comma + 1);
    }
    return false;
}

bool is_academic(std::string_view domain) {
    // The label before the public suffix: "edu" in "mit.edu" or
    // "unsw.edu.au", "ac" in "ox.ac.uk".
    std::size_t end = domain.size();
    for (int level = 0; level < 2; ++level) {
        const std::size_t dot = domain.rfind('.', end - 1);
        const std::string_view label =
            domain.substr(dot == std::string_view::npos ? 0 : dot + 1,
                          end - (dot == std::string_view::npos ? 0 : dot + 1));
        if (std::find(kAcademicLabels.begin(), kAcademicLabels.end(), label) !=
            kAcademicLabels.end()) {
            return dot != std::string_view::npos;  // "edu.com" is a name, not a suffix
        }
        if (dot == std::string_view::npos || dot == 0) {
            return false;
        }
        end = dot;
    }
    return false;
}

}  // namespace

std::string_view email_kind_name(EmailKind kind) noexcept {
    switch (kind) {
        case EmailKind::Business:
            return "business";
        case EmailKind::Personal:
            return "personal";
        case EmailKind::Student:
            return "student";
        case EmailKind::Role:
            return "role";
        case EmailKind::Competitor:
            return "competitor";
        case EmailKind::Invalid:
            break;
    }
    return "invalid";
}

EmailKind email_kind(std::string_view email, std::string_view competitor_domains) noexcept {
    email = trim_blanks(email);
    if (email.size() > kMaxAddress) {
        return EmailKind::Invalid;
    }
    std::array<char, kMaxAddress> lower{};
    for (std::size_t i = 0; i < email.size(); ++i) {
        lower[i] = ascii_lower(email[i]);
    }
    const std::string_view address(lower.data(), email.size());
    const std::size_t at = address.find('@');
    if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) {
        return EmailKind::Invalid;
    }
    const std::string_view local = address.substr(0, at);
    const std::string_view domain = address.substr(at + 1);
    if (!valid_local(local) || !valid_domain(domain)) {
        return EmailKind::Invalid;
    }
    if (is_competitor(domain, competitor_domains)) {
        return EmailKind::Competitor;
    }
    if (is_academic(domain)) {
        return EmailKind::Student;
    }
    if (std::binary_search(kFreeMailDomains.begin(), kFreeMailDomains.end(), domain)) {
        return EmailKind::Personal;
    }
    // "sales+eu@acme.com" and "sales.team@acme.com" are the sales mailbox.
    const std::string_view mailbox = local.substr(0, local.find_first_of("+."));
    if (std::find(kRoleMailboxes.begin(), kRoleMailboxes.end(), mailbox) != kRoleMailboxes.end()) {
        return EmailKind::Role;
    }
    return EmailKind::Business;
}

}  // namespace leadscore::core
