#include "core/trace/trace_types.h"

#include "core/util/input_error.h"

namespace ca {

const char* toString(SampleLabel label) {
    switch (label) {
    case SampleLabel::Domain: return "domain";
    case SampleLabel::Subject: return "subject";
    case SampleLabel::Cognitive: return "cognitive";
    case SampleLabel::Difficulty: return "difficulty";
    }
    return "domain";
}

SampleLabel parseSampleLabel(const std::string& text, const std::string& what) {
    for (SampleLabel l : {SampleLabel::Domain, SampleLabel::Subject, SampleLabel::Cognitive,
                          SampleLabel::Difficulty})
        if (text == toString(l)) return l;
    throw InputError(what, "unknown sample label '" + text +
                               "' (use domain, subject, cognitive or difficulty)");
}

}  // namespace ca
