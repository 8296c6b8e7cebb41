#include "core/scoring/scoring_model.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/common/ascii.hpp"
#include "core/common/document_limits.hpp"
#include "core/calendar/duration.hpp"
#include "core/common/json_check.hpp"
#include "core/common/object_name.hpp"
#include "core/common/quote.hpp"
#include "core/stage/stage_labels.hpp"
#include "core/common/stop_check.hpp"

namespace leadscore::core {

namespace {

using nlohmann::json;

// Points, caps and bounds beyond this are typing mistakes, and keeping them
// small keeps every sum far from overflow.
constexpr double kMaxPoints = 1000000;

constexpr std::array<Seniority, 7> kSeniorities = {
    Seniority::CLevel,     Seniority::Vp,      Seniority::Director, Seniority::Manager,
    Seniority::Individual, Seniority::Student, Seniority::Unknown,
};
constexpr std::array<EmailKind, 6> kEmailKinds = {
    EmailKind::Business, EmailKind::Personal,   EmailKind::Student,
    EmailKind::Role,     EmailKind::Competitor, EmailKind::Invalid,
};

std::string lower_trimmed(std::string_view text) {
    std::string out;
    for (char c : trim_blanks(text)) {
        out += ascii_lower(c);
    }
    return out;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) {
        out += (out.empty() ? "" : ", ") + item;
    }
    return out;
}

// Names in the order they were first seen, with a hash index: a model may
// have thousands of rules, attributes and groups, and looking each one up
// in a list made validation quadratic (30 s for 100,000 fit rules in 0.6).
class NameIndex {
  public:
    // The name's index, added at the end when it is new.
    std::size_t intern(const std::string& name) {
        const auto [found, added] = index_.emplace(name, names_.size());
        if (added) {
            names_.push_back(name);
        }
        return found->second;
    }
    // false when the name was there already.
    bool add(const std::string& name) {
        const std::size_t size = names_.size();
        return intern(name) == size;
    }
    std::optional<std::size_t> find(const std::string& name) const {
        const auto found = index_.find(name);
        if (found == index_.end()) {
            return std::nullopt;
        }
        return found->second;
    }
    const std::vector<std::string>& names() const { return names_; }

  private:
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::size_t> index_;
};

// "a, b, c" for a hint, the first 20 names only.
std::string join_some(const std::vector<std::string>& items) {
    constexpr std::size_t kShown = 20;
    if (items.size() <= kShown) {
        return join(items);
    }
    return join(std::vector<std::string>(items.begin(), items.begin() + kShown)) + " and " +
           std::to_string(items.size() - kShown) + " more";
}

// Reads one model document; `check` knows the model's name for messages.
class ModelReader {
  public:
    ModelReader(std::string_view model_name, DocumentSource source)
        : document_("scoring model " + quote_for_message(model_name)),
          check_(document_),
          model_name_(model_name),
          limited_(source == DocumentSource::Definition) {}

    ScoringModel read(const json& document);

  private:
    std::string document_;
    JsonChecker check_;
    std::string model_name_;
    bool limited_;

    // Error 54000 when the list or object `value` holds more than
    // kMaxModelEntries `what` (a plural noun).
    void check_entries(const json& value, const std::string& path, const char* what) const {
        if (limited_ && value.size() > kMaxModelEntries) {
            document_too_large(document_, path, value.size(), kMaxModelEntries, what,
                               "A scoring model has at most " + std::to_string(kMaxModelEntries) +
                                   " fit rules, fit groups, engagement groups, event types, "
                                   "frequency rules and competitors each; one rule with an "
                                   "\"in\" list can replace many \"equals\" rules.");
        }
    }

    void only_keys(const json& object, const std::string& path,
                   std::initializer_list<std::string_view> known) const {
        check_.only_keys(object, path, known);
    }
    const json& object_at(const json& value, const std::string& path,
                          const std::string& example) const {
        return check_.object_at(value, path, example);
    }
    std::string string_at(const json& value, const std::string& path) const;
    double number_at(const json& value, const std::string& path) const;
    double range_end(const json& value, const std::string& path) const;
    std::int64_t whole_points(const json& value, const std::string& path) const;
    Centipoints centipoints(const json& value, const std::string& path) const;
    Micros duration_at(const json& value, const std::string& path) const;
    template <typename Parse>
    Bounds bounds_of(const json& object, const std::string& path, Parse parse) const;
    static std::string child(const std::string& path, const std::string& key) {
        return JsonChecker::child(path, key);
    }

    void read_fit(const json& fit, ScoringModel& model) const;
    FitRule read_fit_rule(const json& rule, const std::string& path, const NameIndex& groups) const;
    FitValue fit_value(const json& value, const std::string& path) const;
    // {"vp": 20, ...}: points by the name of a classifier's result.
    template <typename Kind, std::size_t N>
    void read_points_by_name(const json& object, const std::string& path,
                             const std::array<Kind, N>& kinds,
                             std::string_view (*name_of)(Kind) noexcept, const char* what,
                             const char* names, std::array<std::int64_t, N>& points) const {
        for (const auto& [name, value] :
             object_at(object, path, R"({"vp": 20} or {"personal": -20})").items()) {
            const std::string wanted = name;
            const auto found = std::find_if(kinds.begin(), kinds.end(),
                                            [&](Kind kind) { return name_of(kind) == wanted; });
            if (found == kinds.end()) {
                check_.fail(child(path, wanted),
                            std::string("unknown ") + what + " " + quote_for_message(wanted),
                            std::string("Use ") + names + ".");
            }
            points[static_cast<std::size_t>(*found)] = whole_points(value, child(path, wanted));
        }
    }
    void read_engagement(const json& engagement, ScoringModel& model) const;
    Decay read_decay(const json& decay, const std::string& path) const;
    int group_index(const json& value, const std::string& path, const NameIndex& groups) const;
    Threshold read_threshold(const json& value, const std::string& path) const;
    void read_grade(const json& grade, ScoringModel& model) const;
};

std::string ModelReader::string_at(const json& value, const std::string& path) const {
    if (!value.is_string() || trim_blanks(value.get_ref<const std::string&>()).empty()) {
        check_.wrong_type(path, value, "a non-empty string", "Write the value as a JSON string.");
    }
    return value.get<std::string>();
}

double ModelReader::number_at(const json& value, const std::string& path) const {
    if (!value.is_number()) {
        check_.wrong_type(path, value, "a number", "Write the value as a JSON number, e.g. 15.");
    }
    const double number = value.get<double>();
    if (!std::isfinite(number) || std::fabs(number) > kMaxPoints) {
        check_.fail(path, "the number " + value.dump() + " is out of range",
                    "Points and bounds lie between -1000000 and 1000000.");
    }
    return number;
}

// Range ends are attribute values (employees, revenue), not points: any finite number.
double ModelReader::range_end(const json& value, const std::string& path) const {
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
        check_.wrong_type(path, value, "a number",
                          "Range ends are inclusive numbers, e.g. \"min\": 50.");
    }
    return value.get<double>();
}

std::int64_t ModelReader::whole_points(const json& value, const std::string& path) const {
    const double number = number_at(value, path);
    if (number != std::floor(number)) {
        check_.fail(path, "expected a whole number of points, got " + value.dump(),
                    "Fit points are integers (fit_score returns an integer).");
    }
    return static_cast<std::int64_t>(number);
}

Centipoints ModelReader::centipoints(const json& value, const std::string& path) const {
    const double hundredths = number_at(value, path) * 100;
    const double rounded = std::round(hundredths);
    if (std::fabs(hundredths - rounded) > 1e-6) {
        check_.fail(path, "expected at most two decimals, got " + value.dump(),
                    "Engagement points are exact to 0.01.");
    }
    return static_cast<Centipoints>(rounded);
}

Micros ModelReader::duration_at(const json& value, const std::string& path) const {
    const std::optional<Micros> micros =
        value.is_string() ? parse_duration(value.get_ref<const std::string&>()) : std::nullopt;
    if (!micros) {
        check_.wrong_type(path, value, "a positive duration such as \"30 days\"",
                          "Write \"<number> <unit>\" with a unit of seconds, minutes, hours, "
                          "days, weeks, months (30 days) or years (365 days).");
    }
    return *micros;
}

template <typename Parse>
Bounds ModelReader::bounds_of(const json& object, const std::string& path, Parse parse) const {
    Bounds bounds;
    if (object.contains("floor") && !object["floor"].is_null()) {
        bounds.floor = (this->*parse)(object["floor"], child(path, "floor"));
    }
    if (object.contains("cap") && !object["cap"].is_null()) {
        bounds.cap = (this->*parse)(object["cap"], child(path, "cap"));
    }
    if (bounds.cap && *bounds.cap < 0) {
        check_.fail(child(path, "cap"), "a cap below zero",
                    "A cap is the most a sum may reach; to bound negative points, use floor.");
    }
    if (bounds.floor && bounds.cap && *bounds.floor > *bounds.cap) {
        check_.fail(child(path, "cap"), "the cap is below the floor",
                    "A cap is the highest value a sum may reach, the floor the lowest.");
    }
    return bounds;
}

int ModelReader::group_index(const json& value, const std::string& path,
                             const NameIndex& groups) const {
    const std::string name = string_at(value, path);
    const std::optional<std::size_t> found = groups.find(name);
    if (!found) {
        check_.fail(path, "unknown group " + quote_for_message(name),
                    groups.names().empty()
                        ? "Define the group under \"groups\" first."
                        : "Groups defined here: " + join_some(groups.names()) + ".");
    }
    return static_cast<int>(*found);
}

FitValue ModelReader::fit_value(const json& value, const std::string& path) const {
    FitValue out;
    if (value.is_string()) {
        out.kind = FitValue::Kind::String;
        out.text = lower_trimmed(value.get_ref<const std::string&>());
    } else if (value.is_boolean()) {
        out.kind = FitValue::Kind::Boolean;
        out.boolean = value.get<bool>();
    } else if (value.is_number()) {
        out.kind = FitValue::Kind::Number;
        out.number = value.get<double>();
    } else {
        check_.wrong_type(path, value, "a string, number or boolean",
                          "Attributes are compared with scalar values.");
    }
    return out;
}

FitRule ModelReader::read_fit_rule(const json& rule, const std::string& path,
                                   const NameIndex& groups) const {
    object_at(rule, path,
              R"({"name": "industry", "attribute": "industry", "in": ["saas"], "points": 10})");
    only_keys(rule, path,
              {"name", "attribute", "group", "seniority", "email_kind", "equals", "in", "ranges",
               "exists", "points", "cap", "floor"});
    FitRule out;
    if (!rule.contains("attribute")) {
        check_.fail(child(path, "attribute"), "missing",
                    "Name the attribute the rule reads, e.g. \"attribute\": \"title\".");
    }
    out.attribute = string_at(rule["attribute"], child(path, "attribute"));
    out.name = rule.contains("name") ? string_at(rule["name"], child(path, "name")) : out.attribute;

    int matchers = 0;
    for (const char* key : {"seniority", "email_kind", "equals", "in", "ranges", "exists"}) {
        matchers += rule.contains(key) ? 1 : 0;
    }
    if (matchers != 1) {
        check_.fail(path, matchers == 0 ? "the rule has no test" : "the rule has several tests",
                    "Give exactly one of seniority, email_kind, equals, in, ranges, exists.");
    }
    const bool takes_points =
        rule.contains("equals") || rule.contains("in") || rule.contains("exists");
    if (takes_points != rule.contains("points")) {
        check_.fail(child(path, "points"), takes_points ? "missing" : "not used by this test",
                    takes_points ? "Say how many points a match is worth: \"points\": 10."
                                 : "seniority, email_kind and ranges carry their own points.");
    }
    if (takes_points) {
        out.points = whole_points(rule["points"], child(path, "points"));
    }

    if (rule.contains("seniority")) {
        out.match = FitMatch::Seniority;
        read_points_by_name(
            rule["seniority"], child(path, "seniority"), kSeniorities, seniority_name, "seniority",
            "c_level, vp, director, manager, individual, student, unknown", out.seniority_points);
    } else if (rule.contains("email_kind")) {
        out.match = FitMatch::EmailKind;
        read_points_by_name(rule["email_kind"], child(path, "email_kind"), kEmailKinds,
                            email_kind_name, "email kind",
                            "business, personal, student, role, competitor, invalid",
                            out.email_points);
    } else if (rule.contains("equals")) {
        out.match = FitMatch::Equals;
        out.values.push_back(fit_value(rule["equals"], child(path, "equals")));
    } else if (rule.contains("in")) {
        out.match = FitMatch::In;
        const std::string sub = child(path, "in");
        if (!rule["in"].is_array() || rule["in"].empty()) {
            check_.wrong_type(sub, rule["in"], "a non-empty array",
                              R"(Example: "in": ["saas", "fintech"])");
        }
        for (std::size_t i = 0; i < rule["in"].size(); ++i) {
            stop_point();
            out.values.push_back(fit_value(rule["in"][i], sub + "[" + std::to_string(i) + "]"));
        }
    } else if (rule.contains("ranges")) {
        out.match = FitMatch::Ranges;
        const std::string sub = child(path, "ranges");
        if (!rule["ranges"].is_array() || rule["ranges"].empty()) {
            check_.wrong_type(sub, rule["ranges"], "a non-empty array",
                              R"(Example: "ranges": [{"min": 50, "max": 500, "points": 15}])");
        }
        for (std::size_t i = 0; i < rule["ranges"].size(); ++i) {
            stop_point();
            const std::string item = sub + "[" + std::to_string(i) + "]";
            const json& range =
                object_at(rule["ranges"][i], item, R"({"min": 50, "max": 500, "points": 15})");
            only_keys(range, item, {"min", "max", "points"});
            FitRange parsed;
            if (range.contains("min") && !range["min"].is_null()) {
                parsed.min = range_end(range["min"], item + ".min");
            }
            if (range.contains("max") && !range["max"].is_null()) {
                parsed.max = range_end(range["max"], item + ".max");
            }
            if (!parsed.min && !parsed.max) {
                check_.fail(item, "the range has neither min nor max",
                            "Give min, max or both (both inclusive).");
            }
            if (parsed.min && parsed.max && *parsed.min > *parsed.max) {
                check_.fail(item + ".max", "max is below min",
                            "Both ends are inclusive: min <= max.");
            }
            if (!range.contains("points")) {
                check_.fail(item + ".points", "missing",
                            "Say what the range is worth: \"points\": 15.");
            }
            parsed.points = whole_points(range["points"], item + ".points");
            out.ranges.push_back(parsed);
        }
    } else {
        out.match = FitMatch::Exists;
        if (rule["exists"] != json(true)) {
            check_.wrong_type(
                child(path, "exists"), rule["exists"], "true",
                "\"exists\": true scores an attribute that is present and not empty.");
        }
    }
    out.bounds = bounds_of(rule, path, &ModelReader::whole_points);
    if (rule.contains("group")) {
        out.group = group_index(rule["group"], child(path, "group"), groups);
    }
    return out;
}

void ModelReader::read_fit(const json& fit, ScoringModel& model) const {
    object_at(fit, "fit", R"({"rules": [{"attribute": "title", "seniority": {"vp": 20}}]})");
    only_keys(fit, "fit", {"rules", "groups", "cap", "floor"});
    NameIndex groups;
    if (fit.contains("groups")) {
        const json& objects = object_at(fit["groups"], "fit.groups", R"({"icp": {"cap": 30}})");
        check_entries(objects, "fit.groups", "fit groups");
        for (const auto& [name, group] : objects.items()) {
            stop_point();
            const std::string path = "fit.groups." + name;
            object_at(group, path, R"({"cap": 30})");
            only_keys(group, path, {"cap", "floor"});
            model.fit.groups.push_back({name, bounds_of(group, path, &ModelReader::whole_points)});
            groups.add(name);
        }
    }
    if (fit.contains("rules")) {
        const json& rules = fit["rules"];
        if (!rules.is_array()) {
            check_.wrong_type("fit.rules", rules, "an array of rules",
                              R"(Example: [{"attribute": "title", "seniority": {"vp": 20}}])");
        }
        check_entries(rules, "fit.rules", "fit rules");
        model.fit.rules.reserve(rules.size());
        NameIndex rule_names;
        NameIndex attributes;
        for (std::size_t i = 0; i < rules.size(); ++i) {
            stop_point();
            const std::string path = "fit.rules[" + std::to_string(i) + "]";
            FitRule rule = read_fit_rule(rules[i], path, groups);
            if (!rule_names.add(rule.name)) {
                check_.fail(path + ".name", "a second rule named " + quote_for_message(rule.name),
                            "Rule names appear in explanations; give each rule its own.");
            }
            rule.attribute_index = attributes.intern(rule.attribute);
            model.fit.rules.push_back(std::move(rule));
        }
        model.fit.attributes = attributes.names();
    }
    model.fit.bounds = bounds_of(fit, "fit", &ModelReader::whole_points);
}

Decay ModelReader::read_decay(const json& decay, const std::string& path) const {
    Decay out;
    if (decay.is_null()) {
        return out;
    }
    object_at(decay, path, R"({"half_life": "30 days"} or {"percent": 25, "every": "1 month"})");
    only_keys(decay, path, {"half_life", "percent", "every"});
    if (decay.contains("half_life")) {
        if (decay.contains("percent") || decay.contains("every")) {
            check_.fail(path, "both a half-life and a linear decay",
                        "Choose one: {\"half_life\": \"30 days\"} or {\"percent\": 25, \"every\": "
                        "\"1 month\"}.");
        }
        out.kind = Decay::Kind::HalfLife;
        out.half_life = duration_at(decay["half_life"], path + ".half_life");
        return out;
    }
    if (!decay.contains("percent") || !decay.contains("every")) {
        check_.fail(
            path, "a decay needs half_life, or percent and every",
            "Examples: {\"half_life\": \"30 days\"}, {\"percent\": 25, \"every\": \"1 month\"}.");
    }
    out.kind = Decay::Kind::Linear;
    out.percent = number_at(decay["percent"], path + ".percent");
    if (out.percent <= 0 || out.percent > 100) {
        check_.fail(path + ".percent",
                    "expected a percentage above 0 and at most 100, got " + decay["percent"].dump(),
                    "It is the share of the points lost every period.");
    }
    out.period = duration_at(decay["every"], path + ".every");
    return out;
}

void ModelReader::read_engagement(const json& engagement, ScoringModel& model) const {
    EngagementModel& out = model.engagement;
    object_at(engagement, "engagement", R"({"events": {"pricing_view": 15}})");
    only_keys(
        engagement, "engagement",
        {"events", "groups", "decay", "frequency", "inactivity", "cap", "floor", "unknown_events"});
    NameIndex group_names;
    if (engagement.contains("groups")) {
        const json& objects = object_at(engagement["groups"], "engagement.groups",
                                        R"({"email": {"cap": 30, "floor": 0}})");
        check_entries(objects, "engagement.groups", "engagement groups");
        for (const auto& [name, group] : objects.items()) {
            stop_point();
            const std::string path = "engagement.groups." + name;
            object_at(group, path, R"({"cap": 30, "floor": 0, "decay": {"half_life": "30 days"}})");
            only_keys(group, path, {"cap", "floor", "decay"});
            EngagementGroup parsed{name, bounds_of(group, path, &ModelReader::centipoints), {}};
            if (group.contains("decay")) {
                parsed.decay = read_decay(group["decay"], path + ".decay");
            }
            out.groups.push_back(std::move(parsed));
            group_names.add(name);
        }
    }
    if (engagement.contains("decay")) {
        out.decay = read_decay(engagement["decay"], "engagement.decay");
    }
    if (engagement.contains("events")) {
        const json& events =
            object_at(engagement["events"], "engagement.events",
                      R"({"pricing_view": 15, "email_open": {"points": 2, "cap": 20}})");
        check_entries(events, "engagement.events", "event types");
        out.events.reserve(events.size());
        for (const auto& [type, rule] : events.items()) {
            stop_point();
            const std::string path = "engagement.events." + type;
            EventRule parsed;
            parsed.type = type;
            if (rule.is_object()) {
                only_keys(rule, path, {"points", "group", "cap", "floor"});
                if (!rule.contains("points")) {
                    check_.fail(path + ".points", "missing",
                                "Say what one event is worth: \"points\": 5.");
                }
                parsed.points = centipoints(rule["points"], path + ".points");
                parsed.bounds = bounds_of(rule, path, &ModelReader::centipoints);
                if (rule.contains("group")) {
                    parsed.group = group_index(rule["group"], path + ".group", group_names);
                }
            } else if (rule.is_number()) {
                parsed.points = centipoints(rule, path);
            } else {
                check_.wrong_type(
                    path, rule, "a number or an object",
                    R"(Write the points, e.g. 15, or {"points": 15, "group": "web", "cap": 45}.)");
            }
            out.events.push_back(std::move(parsed));
        }
    }
    std::sort(out.events.begin(), out.events.end(),
              [](const EventRule& a, const EventRule& b) { return a.type < b.type; });
    out.index_events();
    if (engagement.contains("frequency")) {
        const json& rules = engagement["frequency"];
        if (!rules.is_array()) {
            check_.wrong_type(
                "engagement.frequency", rules, "an array of rules",
                R"(Example: [{"name": "repeat_visits", "events": ["site_visit"], "at_least": 3, "within": "30 days", "points": 15}])");
        }
        check_entries(rules, "engagement.frequency", "frequency rules");
        for (std::size_t i = 0; i < rules.size(); ++i) {
            stop_point();
            const std::string path = "engagement.frequency[" + std::to_string(i) + "]";
            const json& rule = object_at(
                rules[i], path,
                R"({"name": "repeat_visits", "events": ["site_visit"], "at_least": 3, "within": "30 days", "points": 15})");
            only_keys(rule, path, {"name", "events", "at_least", "within", "points", "group"});
            FrequencyRule parsed;
            for (const char* key : {"name", "events", "at_least", "points"}) {
                if (!rule.contains(key)) {
                    check_.fail(path + "." + key, "missing",
                                "A frequency rule needs name, events, at_least and points (within "
                                "is optional).");
                }
            }
            parsed.name = string_at(rule["name"], path + ".name");
            const json& types = rule["events"];
            if (!types.is_array() || types.empty()) {
                check_.wrong_type(path + ".events", types, "a non-empty array of event types",
                                  R"(Example: ["site_visit"])");
            }
            for (std::size_t j = 0; j < types.size(); ++j) {
                stop_point();
                const std::string type_path = path + ".events[" + std::to_string(j) + "]";
                const int index = out.find_event(string_at(types[j], type_path));
                if (index < 0) {
                    check_.fail(type_path,
                                "event type " + quote_for_message(types[j].get<std::string>()) +
                                    " is not in engagement.events",
                                "Frequency rules count scored event types; list it under events (0 "
                                "points is fine).");
                }
                parsed.events.push_back(index);
            }
            const json& at_least = rule["at_least"];
            if (!at_least.is_number_integer() || at_least.get<double>() < 1 ||
                at_least.get<double>() > 1e9) {
                check_.wrong_type(path + ".at_least", at_least, "a whole number from 1",
                                  "Example: \"at_least\": 3.");
            }
            parsed.at_least = at_least.get<std::uint64_t>();
            if (rule.contains("within") && !rule["within"].is_null()) {
                parsed.within = duration_at(rule["within"], path + ".within");
            }
            parsed.points = centipoints(rule["points"], path + ".points");
            if (rule.contains("group")) {
                parsed.group = group_index(rule["group"], path + ".group", group_names);
            }
            out.frequency.push_back(std::move(parsed));
        }
    }
    if (engagement.contains("inactivity") && !engagement["inactivity"].is_null()) {
        const json& rule = object_at(engagement["inactivity"], "engagement.inactivity",
                                     R"({"after": "30 days", "points": -10})");
        only_keys(rule, "engagement.inactivity", {"after", "points", "group"});
        if (!rule.contains("after") || !rule.contains("points")) {
            check_.fail("engagement.inactivity", "needs after and points",
                        R"(Example: {"after": "30 days", "points": -10})");
        }
        out.inactivity.after = duration_at(rule["after"], "engagement.inactivity.after");
        out.inactivity.points = centipoints(rule["points"], "engagement.inactivity.points");
        if (rule.contains("group")) {
            out.inactivity.group =
                group_index(rule["group"], "engagement.inactivity.group", group_names);
        }
    }
    out.bounds = bounds_of(engagement, "engagement", &ModelReader::centipoints);
    if (engagement.contains("unknown_events")) {
        const std::string policy =
            string_at(engagement["unknown_events"], "engagement.unknown_events");
        if (policy != "ignore" && policy != "error") {
            check_.fail(
                "engagement.unknown_events", "unknown policy " + quote_for_message(policy),
                "Use \"ignore\" (event types the model does not list score nothing) or \"error\".");
        }
        out.unknown_events_are_errors = policy == "error";
    }
}

Threshold ModelReader::read_threshold(const json& value, const std::string& path) const {
    Threshold out;
    if (value.is_number()) {
        out.score = centipoints(value, path);
        return out;
    }
    if (!value.is_object()) {
        check_.wrong_type(path, value, "a number or an object",
                          R"(Example: 80, or {"fit": 20, "engagement": 40})");
    }
    only_keys(value, path, {"score", "fit", "engagement"});
    if (value.contains("score")) {
        out.score = centipoints(value["score"], path + ".score");
    }
    if (value.contains("fit")) {
        out.fit = whole_points(value["fit"], path + ".fit");
    }
    if (value.contains("engagement")) {
        out.engagement = centipoints(value["engagement"], path + ".engagement");
    }
    if (!out.score && !out.fit && !out.engagement) {
        check_.fail(path, "no condition",
                    R"(Give score, fit or engagement, e.g. {"fit": 20, "engagement": 40}.)");
    }
    return out;
}

void ModelReader::read_grade(const json& grade, ScoringModel& model) const {
    object_at(grade, "grade",
              R"({"fit": {"A": 40, "B": 25, "C": 10}, "engagement": {"1": 60, "2": 30, "3": 10}})");
    only_keys(grade, "grade", {"fit", "engagement"});
    const auto read_bands = [&](const char* key, std::array<const char*, 3> names, auto parse,
                                auto& bands) {
        if (!grade.contains(key)) {
            return;
        }
        const std::string path = std::string("grade.") + key;
        const json& object = object_at(grade[key], path, R"({"A": 40, "B": 25, "C": 10})");
        for (const auto& [name, value] : object.items()) {
            const std::string band = name;
            if (std::find_if(names.begin(), names.end(),
                             [&](const char* n) { return band == n; }) == names.end()) {
                check_.fail(path + "." + name, "unknown band " + quote_for_message(name),
                            std::string("Bands here: ") + names[0] + ", " + names[1] + ", " +
                                names[2] + " (the lowest band is everything below the last).");
            }
        }
        for (std::size_t i = 0; i < 3; ++i) {
            if (!object.contains(names[i])) {
                check_.fail(path + "." + names[i], "missing", "Give the minimum of each band.");
            }
            bands[i] = (this->*parse)(object[names[i]], path + "." + names[i]);
            if (i > 0 && bands[i] > bands[i - 1]) {
                check_.fail(path + "." + names[i], "a lower band has a higher minimum",
                            "Minimums must not increase from the best band to the worst.");
            }
        }
    };
    read_bands("fit", {"A", "B", "C"}, &ModelReader::whole_points, model.grade.fit);
    read_bands("engagement", {"1", "2", "3"}, &ModelReader::centipoints, model.grade.engagement);
}

ScoringModel ModelReader::read(const json& document) {
    if (!document.is_object()) {
        check_.fail("the top level",
                    std::string("expected a JSON object, got ") + json_type_name(document),
                    R"(Example: {"fit": {...}, "engagement": {...}, "thresholds": {"mql": 80}})");
    }
    only_keys(document, "",
              {"description", "competitors", "fit", "engagement", "thresholds", "grade"});
    ScoringModel model;
    model.engagement.model_name = model_name_;
    // Defaults for what a model leaves out: the seeds' thresholds and our grade bands.
    model.mql.score = 8000;
    model.sql.score = 15000;
    model.grade.fit = {40, 25, 10};
    model.grade.engagement = {6000, 3000, 1000};
    if (document.contains("description") && !document["description"].is_null()) {
        if (!document["description"].is_string()) {
            check_.wrong_type("description", document["description"], "a string",
                              "Describe the model in words.");
        }
        model.description = document["description"].get<std::string>();
    }
    if (document.contains("competitors")) {
        const json& list = document["competitors"];
        if (!list.is_array()) {
            check_.wrong_type("competitors", list, "an array of domains",
                              R"(Example: ["rival.com"])");
        }
        check_entries(list, "competitors", "competitors");
        for (std::size_t i = 0; i < list.size(); ++i) {
            stop_point();
            const std::string path = "competitors[" + std::to_string(i) + "]";
            const std::string domain = lower_trimmed(string_at(list[i], path));
            if (domain.find(',') != std::string::npos || domain.find('@') != std::string::npos ||
                domain.find(' ') != std::string::npos) {
                check_.fail(path, quote_for_message(domain) + " is not a domain",
                            "Write the domain alone, e.g. \"rival.com\".");
            }
            model.competitors.push_back(domain);
        }
        model.competitor_list = join(model.competitors);
        model.competitor_list.erase(
            std::remove(model.competitor_list.begin(), model.competitor_list.end(), ' '),
            model.competitor_list.end());
    }
    if (document.contains("fit")) {
        read_fit(document["fit"], model);
    }
    if (document.contains("engagement")) {
        read_engagement(document["engagement"], model);
    }
    if (document.contains("thresholds")) {
        const json& thresholds =
            object_at(document["thresholds"], "thresholds", R"({"mql": 80, "sql": 150})");
        only_keys(thresholds, "thresholds", {"mql", "sql"});
        if (thresholds.contains("mql")) {
            model.mql = read_threshold(thresholds["mql"], "thresholds.mql");
        }
        if (thresholds.contains("sql")) {
            model.sql = read_threshold(thresholds["sql"], "thresholds.sql");
        }
    }
    if (document.contains("grade")) {
        read_grade(document["grade"], model);
    }
    return model;
}

// ---- back to JSON ----

json points_json(Centipoints points) {
    if (points % 100 == 0) {
        return points / 100;
    }
    return static_cast<double>(points) / 100;
}

json centi_bounds_json(const Bounds& bounds, json object) {
    if (bounds.floor) {
        object["floor"] = points_json(*bounds.floor);
    }
    if (bounds.cap) {
        object["cap"] = points_json(*bounds.cap);
    }
    return object;
}

json whole_bounds_json(const Bounds& bounds, json object) {
    if (bounds.floor) {
        object["floor"] = *bounds.floor;
    }
    if (bounds.cap) {
        object["cap"] = *bounds.cap;
    }
    return object;
}

// Whole numbers without a ".0", so that 500 reads back as written.
json number_json(double number) {
    if (number == std::floor(number) && std::fabs(number) < 9e15) {
        return static_cast<std::int64_t>(number);
    }
    return number;
}

json fit_value_json(const FitValue& value) {
    switch (value.kind) {
        case FitValue::Kind::String:
            return value.text;
        case FitValue::Kind::Boolean:
            return value.boolean;
        default:
            return number_json(value.number);
    }
}

json decay_json(const Decay& decay) {
    switch (decay.kind) {
        case Decay::Kind::HalfLife:
            return {{"half_life", format_duration(decay.half_life)}};
        case Decay::Kind::Linear:
            return {{"percent", number_json(decay.percent)},
                    {"every", format_duration(decay.period)}};
        default:
            return nullptr;
    }
}

json threshold_json(const Threshold& threshold) {
    json out = json::object();
    if (threshold.score) {
        out["score"] = points_json(*threshold.score);
    }
    if (threshold.fit) {
        out["fit"] = *threshold.fit;
    }
    if (threshold.engagement) {
        out["engagement"] = points_json(*threshold.engagement);
    }
    return out;
}

}  // namespace

double Decay::factor(Micros age) const {
    switch (kind) {
        case Kind::HalfLife:
            return std::exp2(-static_cast<double>(age) / static_cast<double>(half_life));
        case Kind::Linear: {
            const double periods =
                std::floor(static_cast<double>(age) / static_cast<double>(period));
            return std::max(0.0, 1.0 - periods * percent / 100.0);
        }
        default:
            return 1.0;
    }
}

namespace {

std::uint64_t type_hash(std::string_view type) {
    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a
    for (char c : type) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    return hash;
}

}  // namespace

void EngagementModel::index_events() {
    std::size_t size = 8;
    while (size < events.size() * 2) {
        size *= 2;
    }
    event_slots_.assign(size, 0);
    for (std::size_t i = 0; i < events.size(); ++i) {
        std::size_t slot = type_hash(events[i].type) & (size - 1);
        while (event_slots_[slot] != 0) {
            slot = (slot + 1) & (size - 1);
        }
        event_slots_[slot] = static_cast<int>(i) + 1;
    }
    decayed_slots = 0;
    for (EventRule& rule : events) {
        const Decay& decay =
            rule.group >= 0 ? groups[static_cast<std::size_t>(rule.group)].decay : this->decay;
        rule.decayed_slot =
            decay.kind == Decay::Kind::None ? -1 : static_cast<int>(decayed_slots++);
    }
}

int EngagementModel::find_event(std::string_view type) const {
    if (event_slots_.empty()) {
        return -1;
    }
    const std::size_t mask = event_slots_.size() - 1;
    for (std::size_t slot = type_hash(type) & mask; event_slots_[slot] != 0;
         slot = (slot + 1) & mask) {
        const int index = event_slots_[slot] - 1;
        if (events[static_cast<std::size_t>(index)].type == type) {
            return index;
        }
    }
    return -1;
}

bool Threshold::met(std::int64_t fit_points, Centipoints engagement_points) const {
    // In 128 bits: fit and engagement come from SQL and may be anything.
    if (score && static_cast<__int128>(fit_points) * 100 + engagement_points < *score) {
        return false;
    }
    if (fit && fit_points < *fit) {
        return false;
    }
    if (engagement && engagement_points < *engagement) {
        return false;
    }
    return true;
}

void check_model_name(std::string_view name) {
    check_object_name(name, "scoring model");
}

ScoringModel parse_model(std::string_view definition_json, std::string_view model_name,
                         DocumentSource source) {
    if (source == DocumentSource::Definition) {
        check_document_bytes(definition_json, kMaxModelBytes,
                             "scoring model " + quote_for_message(model_name),
                             "A scoring model's definition");
    }
    const json document = json::parse(definition_json, nullptr, false);
    if (document.is_discarded()) {
        throw Error(sqlstate::kInvalidParameterValue,
                    "invalid scoring model " + quote_for_message(model_name) + ": not valid JSON",
                    "Pass the definition as jsonb.");
    }
    return ModelReader(model_name, source).read(document);
}

std::string normalised_model(std::string_view definition_json, std::string_view model_name,
                             DocumentSource source) {
    std::string normalised = model_json(parse_model(definition_json, model_name, source));
    if (source == DocumentSource::Definition) {
        check_document_bytes(normalised, kMaxModelBytes,
                             "scoring model " + quote_for_message(model_name),
                             "A scoring model's definition", true);
    }
    return normalised;
}

std::string model_json(const ScoringModel& model) {
    json out = json::object();
    out["description"] = model.description;
    out["competitors"] = model.competitors;

    json fit = whole_bounds_json(model.fit.bounds, json::object());
    json fit_groups = json::object();
    for (const FitGroup& group : model.fit.groups) {
        fit_groups[group.name] = whole_bounds_json(group.bounds, json::object());
    }
    fit["groups"] = fit_groups;
    json rules = json::array();
    for (const FitRule& rule : model.fit.rules) {
        stop_point();
        json item = {{"name", rule.name}, {"attribute", rule.attribute}};
        switch (rule.match) {
            case FitMatch::Seniority: {
                json bands = json::object();
                for (Seniority s : kSeniorities) {
                    if (const auto points = rule.seniority_points[static_cast<std::size_t>(s)]) {
                        bands[std::string(seniority_name(s))] = points;
                    }
                }
                item["seniority"] = bands;
                break;
            }
            case FitMatch::EmailKind: {
                json kinds = json::object();
                for (EmailKind k : kEmailKinds) {
                    if (const auto points = rule.email_points[static_cast<std::size_t>(k)]) {
                        kinds[std::string(email_kind_name(k))] = points;
                    }
                }
                item["email_kind"] = kinds;
                break;
            }
            case FitMatch::Equals:
                item["equals"] = fit_value_json(rule.values.front());
                item["points"] = rule.points;
                break;
            case FitMatch::In: {
                json values = json::array();
                for (const FitValue& value : rule.values) {
                    values.push_back(fit_value_json(value));
                }
                item["in"] = values;
                item["points"] = rule.points;
                break;
            }
            case FitMatch::Ranges: {
                json ranges = json::array();
                for (const FitRange& range : rule.ranges) {
                    json r = {{"points", range.points}};
                    if (range.min) {
                        r["min"] = number_json(*range.min);
                    }
                    if (range.max) {
                        r["max"] = number_json(*range.max);
                    }
                    ranges.push_back(r);
                }
                item["ranges"] = ranges;
                break;
            }
            case FitMatch::Exists:
                item["exists"] = true;
                item["points"] = rule.points;
                break;
        }
        if (rule.group >= 0) {
            item["group"] = model.fit.groups[static_cast<std::size_t>(rule.group)].name;
        }
        rules.push_back(whole_bounds_json(rule.bounds, item));
    }
    fit["rules"] = rules;
    out["fit"] = fit;

    const EngagementModel& engagement = model.engagement;
    json eng = centi_bounds_json(engagement.bounds, json::object());
    json groups = json::object();
    for (const EngagementGroup& group : engagement.groups) {
        json item = centi_bounds_json(group.bounds, json::object());
        if (group.decay.kind != Decay::Kind::None) {
            item["decay"] = decay_json(group.decay);
        }
        groups[group.name] = item;
    }
    eng["groups"] = groups;
    eng["decay"] = decay_json(engagement.decay);
    json events = json::object();
    for (const EventRule& rule : engagement.events) {
        stop_point();
        json item = centi_bounds_json(rule.bounds, {{"points", points_json(rule.points)}});
        if (rule.group >= 0) {
            item["group"] = engagement.groups[static_cast<std::size_t>(rule.group)].name;
        }
        events[rule.type] = item;
    }
    eng["events"] = events;
    json frequency = json::array();
    for (const FrequencyRule& rule : engagement.frequency) {
        json types = json::array();
        for (int index : rule.events) {
            types.push_back(engagement.events[static_cast<std::size_t>(index)].type);
        }
        json item = {{"name", rule.name},
                     {"events", types},
                     {"at_least", rule.at_least},
                     {"points", points_json(rule.points)}};
        item["within"] = rule.within > 0 ? json(format_duration(rule.within)) : json(nullptr);
        if (rule.group >= 0) {
            item["group"] = engagement.groups[static_cast<std::size_t>(rule.group)].name;
        }
        frequency.push_back(item);
    }
    eng["frequency"] = frequency;
    if (engagement.inactivity.after > 0) {
        json item = {{"after", format_duration(engagement.inactivity.after)},
                     {"points", points_json(engagement.inactivity.points)}};
        if (engagement.inactivity.group >= 0) {
            item["group"] =
                engagement.groups[static_cast<std::size_t>(engagement.inactivity.group)].name;
        }
        eng["inactivity"] = item;
    } else {
        eng["inactivity"] = nullptr;
    }
    eng["unknown_events"] = engagement.unknown_events_are_errors ? "error" : "ignore";
    out["engagement"] = eng;

    out["thresholds"] = {{"mql", threshold_json(model.mql)}, {"sql", threshold_json(model.sql)}};
    out["grade"] = {
        {"fit", {{"A", model.grade.fit[0]}, {"B", model.grade.fit[1]}, {"C", model.grade.fit[2]}}},
        {"engagement",
         {{"1", points_json(model.grade.engagement[0])},
          {"2", points_json(model.grade.engagement[1])},
          {"3", points_json(model.grade.engagement[2])}}}};
    return out.dump();
}

}  // namespace leadscore::core
