#include "core/scoring/title_seniority.hpp"

#include <array>

#include "core/common/ascii.hpp"

namespace leadscore::core {

namespace {

constexpr std::size_t kMaxWords = 24;
constexpr std::size_t kMaxTitle = 256;

// A title as lowercase ASCII words; everything else separates words.
struct Words {
    std::array<char, kMaxTitle> text{};
    std::array<std::string_view, kMaxWords> word{};
    std::size_t count = 0;

    explicit Words(std::string_view title) {
        std::size_t length = 0;
        std::size_t start = 0;
        auto close_word = [&] {
            if (length > start && count < kMaxWords) {
                word[count++] = std::string_view(text.data() + start, length - start);
            }
            start = length;
        };
        for (char c : title.substr(0, kMaxTitle)) {
            const bool letter =
                (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (letter) {
                text[length++] = ascii_lower(c);
            } else {
                close_word();
            }
        }
        close_word();
    }

    std::string_view at(std::size_t i) const { return i < count ? word[i] : std::string_view(); }
};

template <std::size_t N>
bool one_of(std::string_view word, const std::array<std::string_view, N>& list) {
    for (std::string_view entry : list) {
        if (word == entry) {
            return true;
        }
    }
    return false;
}

constexpr std::array<std::string_view, 19> kCLevelWords = {
    "ceo",       "cfo",   "cto",      "coo",        "cmo",        "cro", "cio",
    "ciso",      "cpo",   "chro",     "cco",        "cdo",        "cso", "founder",
    "cofounder", "owner", "chairman", "chairwoman", "proprietor",
};
constexpr std::array<std::string_view, 7> kVpWords = {"vp",  "svp", "evp", "avp",
                                                      "gvp", "rvp", "vice"};
constexpr std::array<std::string_view, 4> kDirectorWords = {"director", "dir", "directeur",
                                                            "directora"};
constexpr std::array<std::string_view, 7> kManagerWords = {
    "manager", "mgr", "supervisor", "gm", "teamlead", "foreman", "superintendent"};
constexpr std::array<std::string_view, 7> kStudentWords = {
    "student", "intern", "internship", "trainee", "apprentice", "undergraduate", "phd"};
constexpr std::array<std::string_view, 3> kAssistantWords = {"assistant", "secretary", "pa"};

}  // namespace

std::string_view seniority_name(Seniority seniority) noexcept {
    switch (seniority) {
        case Seniority::CLevel:
            return "c_level";
        case Seniority::Vp:
            return "vp";
        case Seniority::Director:
            return "director";
        case Seniority::Manager:
            return "manager";
        case Seniority::Individual:
            return "individual";
        case Seniority::Student:
            return "student";
        case Seniority::Unknown:
            break;
    }
    return "unknown";
}

Seniority title_seniority(std::string_view title) noexcept {
    const Words words(title);
    if (words.count == 0) {
        return Seniority::Unknown;
    }
    // "Assistant to the CEO", "Executive Assistant": the assistant is not the
    // executive.
    for (std::size_t i = 0; i < words.count; ++i) {
        if (one_of(words.at(i), kAssistantWords) &&
            (words.at(i + 1) == "to" || (i > 0 && words.at(i - 1) == "executive"))) {
            return Seniority::Individual;
        }
    }
    Seniority best = Seniority::Individual;
    bool student = false;
    auto raise = [&best](Seniority found) {
        if (found < best) {  // the enum runs from most to least senior
            best = found;
        }
    };
    for (std::size_t i = 0; i < words.count; ++i) {
        const std::string_view word = words.at(i);
        const std::string_view next = words.at(i + 1);
        const bool last = i + 1 == words.count;
        if (word == "president") {
            // "Vice President" is a VP; "President" alone is C-level.
            raise(i > 0 && words.at(i - 1) == "vice" ? Seniority::Vp : Seniority::CLevel);
        } else if (word == "partner") {
            // "Partner", "Managing Partner"; not "Partner Manager".
            if (last) {
                raise(Seniority::CLevel);
            }
        } else if (word == "chief" || one_of(word, kCLevelWords) ||
                   (word == "co" && next == "founder")) {
            raise(Seniority::CLevel);
        } else if (one_of(word, kVpWords)) {
            raise(Seniority::Vp);
        } else if (one_of(word, kDirectorWords) || (word == "head" && next == "of")) {
            raise(Seniority::Director);
        } else if (one_of(word, kManagerWords) || (word == "team" && next == "lead")) {
            raise(Seniority::Manager);
        } else if (one_of(word, kStudentWords)) {
            student = true;
        }
    }
    if (best == Seniority::Individual && student) {
        return Seniority::Student;
    }
    return best;
}

}  // namespace leadscore::core
