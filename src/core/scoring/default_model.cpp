// The built-in model "default": seed 000's point values and thresholds.
#include "core/scoring/scoring_model.hpp"

namespace leadscore::core {

std::string_view default_model_json() {
    // Fit: ICP criteria (company size, industry, geography) add up to at most
    // 30 (seed 000: "fit 1-30 for ICP"; seed 002's 15/10/5 split); seniority
    // +20 for economic buyers (VP, C-suite), +10 for users and influencers
    // (directors, managers), +5 for individual contributors; competitor
    // domains -30, personal and student addresses -20. Engagement: seed 000's
    // behaviour points and its 30-day inactivity penalty. Thresholds: MQL at
    // 80, SQL at 150. The grade bands are leadscore's (the seeds give none).
    return R"json({
  "description": "leadscore default: seed values for B2B lead scoring",
  "competitors": [],
  "fit": {
    "groups": {"icp": {"cap": 30}},
    "rules": [
      {"name": "seniority", "attribute": "title",
       "seniority": {"c_level": 20, "vp": 20, "director": 10, "manager": 10, "individual": 5}},
      {"name": "company_size", "attribute": "employees", "group": "icp",
       "ranges": [{"min": 50, "max": 500, "points": 15},
                  {"min": 501, "max": 5000, "points": 10},
                  {"min": 10, "max": 49, "points": 5}]},
      {"name": "industry", "attribute": "industry", "group": "icp",
       "in": ["software", "saas", "financial services", "healthcare"], "points": 10},
      {"name": "country", "attribute": "country", "group": "icp",
       "in": ["us", "ca", "gb", "de", "at", "ch"], "points": 5},
      {"name": "email", "attribute": "email",
       "email_kind": {"competitor": -30, "personal": -20, "student": -20}}
    ]
  },
  "engagement": {
    "groups": {"email": {}, "web": {}, "events": {}},
    "events": {
      "email_open": {"points": 2, "group": "email"},
      "email_click": {"points": 5, "group": "email"},
      "blog_view": {"points": 3, "group": "web"},
      "pricing_view": {"points": 15, "group": "web"},
      "demo_view": {"points": 20, "group": "web"},
      "content_download": {"points": 8, "group": "web"},
      "video_75": {"points": 10, "group": "web"},
      "chat": {"points": 20, "group": "events"},
      "webinar_attended": {"points": 25, "group": "events"}
    },
    "inactivity": {"after": "30 days", "points": -10},
    "unknown_events": "ignore"
  },
  "thresholds": {"mql": 80, "sql": 150},
  "grade": {"fit": {"A": 40, "B": 25, "C": 10}, "engagement": {"1": 60, "2": 30, "3": 10}}
})json";
}

}  // namespace leadscore::core
