// The batch lifecycle: api_state's transitions (see api_state.hpp for the timeline).
#include <batchwire/emulator/api_state.hpp>

#include <batchwire/emulator/fake_response.hpp>
#include <batchwire/emulator/random_id.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>

namespace batchwire::emulator {

namespace {

void set_status(batchwire::batch& b, batchwire::batch_status s)
{
    b.status = s;
    b.status_text = std::string(batchwire::to_string(s));
}

std::int64_t ms(std::chrono::seconds s) { return std::chrono::milliseconds(s).count(); }

} // namespace

std::int64_t api_state::run_duration_ms(std::size_t requests) const
{
    if (opts_.requests_per_second <= 0 || requests == 0)
        return 0;
    return static_cast<std::int64_t>(
        std::ceil(static_cast<double>(requests) * 1000.0 / opts_.requests_per_second - 1e-9));
}

std::int64_t api_state::request_done_ms(const batch_record& rec, std::size_t index) const
{
    return *rec.in_progress_ms + run_duration_ms(index + 1);
}

void api_state::run_requests_until(batch_record& rec, std::int64_t t_ms)
{
    if (!rec.in_progress_ms || t_ms < *rec.in_progress_ms)
        return;
    std::size_t due = rec.requests.size();
    if (opts_.requests_per_second > 0) {
        const double elapsed_s = static_cast<double>(t_ms - *rec.in_progress_ms) / 1000.0;
        const double n = std::floor(elapsed_s * opts_.requests_per_second + 1e-9);
        due = std::min(due, static_cast<std::size_t>(std::max(0.0, n)));
    }
    auto& counts = *rec.view.request_counts;
    while (rec.outcomes.size() < due) {
        const input_request& req = rec.requests[rec.outcomes.size()];
        const bool fails = fail_predicate_ && fail_predicate_(req.custom_id);
        rec.outcomes.push_back(fails ? request_outcome::failed : request_outcome::succeeded);
        if (fails) {
            ++counts.failed;
        } else {
            ++counts.completed;
            auto& usage = *rec.view.usage;
            usage.input_tokens += fake_input_tokens;
            usage.output_tokens += fake_output_tokens;
            usage.total_tokens += fake_input_tokens + fake_output_tokens;
        }
    }
}

void api_state::settle(batch_record& rec, std::int64_t now)
{
    using batchwire::batch_status;
    batchwire::batch& b = rec.view;
    for (;;) {
        switch (b.status) {
        case batch_status::validating: {
            if (now < rec.validated_ms)
                return;
            input_check_params check;
            check.endpoint = std::string_view(b.endpoint);
            check.max_lines = opts_.max_file_lines;
            input_check_result result = check_batch_input(rec.input->content, check);
            if (!result.errors.empty()) {
                b.errors = std::move(result.errors);
                set_status(b, batch_status::failed);
                b.failed_at = emulated_clock::floor_seconds(rec.validated_ms);
                if (end_listener_)
                    end_listener_(b, rec.validated_ms);
                return;
            }
            rec.requests = std::move(result.requests);
            rec.outcomes.reserve(rec.requests.size());
            rec.in_progress_ms = rec.validated_ms;
            rec.finish_ms = rec.validated_ms + run_duration_ms(rec.requests.size());
            set_status(b, batch_status::in_progress);
            b.in_progress_at = emulated_clock::floor_seconds(rec.validated_ms);
            b.request_counts = batchwire::batch_request_counts{static_cast<std::int64_t>(rec.requests.size()), 0, 0};
            b.usage = batchwire::batch_usage{};
            if (!rec.requests.empty() && !rec.requests.front().model.empty())
                b.model = rec.requests.front().model;
            continue;
        }
        case batch_status::in_progress: {
            run_requests_until(rec, std::min(now, rec.expires_ms));
            if (rec.finish_ms <= rec.expires_ms && now >= rec.finish_ms) {
                set_status(b, batch_status::finalizing);
                b.finalizing_at = emulated_clock::floor_seconds(rec.finish_ms);
                continue;
            }
            if (now >= rec.expires_ms)
                finish(rec, batch_status::expired, rec.expires_ms, "batch_expired");
            return;
        }
        case batch_status::finalizing: {
            const std::int64_t done = rec.finish_ms + ms(opts_.finalizing_duration);
            if (now >= done)
                finish(rec, batch_status::completed, done, nullptr);
            return;
        }
        case batch_status::cancelling: {
            const std::int64_t drain_end = *rec.cancelling_ms + std::min(ms(opts_.cancel_drain_duration),
                                                                          ms(opts_.cancelling_window));
            run_requests_until(rec, std::min({now, drain_end, rec.expires_ms}));
            const std::int64_t done = *rec.cancelling_ms + ms(opts_.cancelling_window);
            if (now >= done)
                finish(rec, batch_status::cancelled, done, "batch_cancelled");
            return;
        }
        default:
            return; // terminal
        }
    }
}

void api_state::finish(batch_record& rec, batchwire::batch_status status, std::int64_t at_ms,
                       const char* never_run_code)
{
    using batchwire::batch_status;
    batchwire::batch& b = rec.view;
    write_result_files(rec, at_ms, never_run_code);
    set_status(b, status);
    const std::int64_t at = emulated_clock::floor_seconds(at_ms);
    switch (status) {
    case batch_status::completed: b.completed_at = at; break;
    case batch_status::expired: b.expired_at = at; break;
    case batch_status::cancelled: b.cancelled_at = at; break;
    default: break;
    }
    // The results are in the files now; the parsed requests are no longer needed.
    rec.requests = {};
    rec.outcomes = {};
    if (end_listener_)
        end_listener_(b, at_ms);
}

void api_state::write_result_files(batch_record& rec, std::int64_t at_ms, const char* never_run_code)
{
    namespace json = boost::json;
    batchwire::batch& b = rec.view;
    auto output = std::make_shared<std::string>();
    auto errors = std::make_shared<std::string>();

    for (std::size_t i = 0; i < rec.requests.size(); ++i) {
        const input_request& req = rec.requests[i];
        json::object line;
        line["id"] = random_id("batch_req_", 32);
        line["custom_id"] = req.custom_id;
        std::string* file = errors.get();
        if (i < rec.outcomes.size()) {
            const std::int64_t ran_at = emulated_clock::floor_seconds(request_done_ms(rec, i));
            json::object response;
            response["request_id"] = random_id("req_", 32);
            if (rec.outcomes[i] == request_outcome::succeeded) {
                response["status_code"] = 200;
                response["body"] = fake_response_body(b.endpoint, req, ran_at);
                file = output.get();
            } else {
                response["status_code"] = 400;
                response["body"] = json::object{
                    {"error", json::object{{"message", "Emulated failure of request '" + req.custom_id + "'."},
                                           {"type", "invalid_request_error"},
                                           {"param", nullptr},
                                           {"code", nullptr}}}};
            }
            line["response"] = std::move(response);
            line["error"] = nullptr;
        } else {
            if (!never_run_code)
                continue; // cannot happen: a completed batch ran everything
            line["response"] = nullptr;
            const std::string_view code(never_run_code);
            line["error"] = json::object{
                {"code", code},
                {"message", code == "batch_expired"
                                ? "This request could not be executed before the completion window expired."
                                : "This request was not executed because the batch was cancelled."}};
        }
        file->append(json::serialize(line));
        file->push_back('\n');
    }

    const std::int64_t created_at = emulated_clock::floor_seconds(at_ms);
    std::optional<std::int64_t> expires_at;
    if (rec.output_expires_seconds)
        expires_at = created_at + *rec.output_expires_seconds;
    if (!output->empty()) {
        const std::string_view content(*output);
        b.output_file_id =
            store_file_locked(b.id + "_output.jsonl", "batch_output", output, content, created_at, expires_at)->meta.id;
    }
    if (!errors->empty()) {
        const std::string_view content(*errors);
        b.error_file_id =
            store_file_locked(b.id + "_error.jsonl", "batch_output", errors, content, created_at, expires_at)->meta.id;
    }
}

} // namespace batchwire::emulator
