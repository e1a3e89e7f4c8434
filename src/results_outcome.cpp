// The outcome of one line of a batch's output or error file: a pure decision.

#include <batchwire/results.hpp>

namespace batchwire {

std::string_view to_string(outcome o) noexcept
{
    switch (o) {
    case outcome::succeeded: return "succeeded";
    case outcome::failed: return "failed";
    case outcome::not_run: return "not_run";
    case outcome::missing: return "missing";
    }
    return "unknown";
}

outcome classify(const batch_output_line& line) noexcept
{
    if (line.response) {
        const int s = line.response->status_code;
        return s >= 200 && s <= 299 ? outcome::succeeded : outcome::failed;
    }
    // The published codes of requests the batch never executed.
    if (line.error && (line.error->code == "batch_cancelled" || line.error->code == "batch_expired"))
        return outcome::not_run;
    return outcome::failed;
}

boost::json::object outcome_record(outcome o, const batch_output_line& line)
{
    boost::json::object r;
    r.reserve(5);
    r.emplace("custom_id", line.custom_id);
    r.emplace("outcome", to_string(o));
    if (line.response) {
        r.emplace("status_code", line.response->status_code);
        r.emplace("request_id", line.response->request_id);
        r.emplace("body", line.response->body);
    } else {
        r.emplace("status_code", nullptr);
        r.emplace("request_id", nullptr);
        boost::json::object e;
        if (line.error) {
            e.emplace("code", line.error->code);
            e.emplace("message", line.error->message);
        } else {
            e.emplace("code", nullptr);
            e.emplace("message", "the line has neither a response nor an error");
        }
        r.emplace("error", std::move(e));
    }
    return r;
}

} // namespace batchwire
