// Batch <-> JSON (the API reference's Batch).

#include <batchwire/batch.hpp>

#include "json_fields.hpp"

#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <utility>

namespace batchwire {

namespace {

batch_error read_batch_error(const detail::object_reader& r)
{
    batch_error e;
    e.code = r.string_or_empty("code");
    e.message = r.string_or_empty("message");
    e.param = r.optional_string("param");
    e.line = r.optional_int64("line");
    return e;
}

void write_batch_error(boost::json::object& o, const batch_error& e)
{
    o.reserve(4);
    o.emplace("code", e.code);
    o.emplace("message", e.message);
    detail::put_optional(o, "param", e.param);
    detail::put_optional(o, "line", e.line);
}

// Wire: {"object": "list", "data": [BatchError, ...]}; a missing data list reads as empty.
std::vector<batch_error> read_errors(const detail::object_reader& list)
{
    list.check_object_tag("list");
    const boost::json::array& items = list.array_or_empty("data");
    std::vector<batch_error> errors; // grows as elements pass: no reserve for an untrusted count
    for (std::size_t i = 0; i < items.size(); ++i)
        errors.push_back(read_batch_error(detail::object_reader(items[i], list, "data", i)));
    return errors;
}

batch_request_counts read_request_counts(const detail::object_reader& r)
{
    return {r.required_int64("total"), r.required_int64("completed"), r.required_int64("failed")};
}

// Wire nests two of the counts: input_tokens_details.cached_tokens and
// output_tokens_details.reasoning_tokens, all required inside usage.
batch_usage read_usage(const detail::object_reader& r)
{
    batch_usage u;
    u.input_tokens = r.required_int64("input_tokens");
    u.cached_tokens = r.required_object("input_tokens_details").required_int64("cached_tokens");
    u.output_tokens = r.required_int64("output_tokens");
    u.reasoning_tokens = r.required_object("output_tokens_details").required_int64("reasoning_tokens");
    u.total_tokens = r.required_int64("total_tokens");
    return u;
}

boost::json::object usage_json(const batch_usage& u, boost::json::storage_ptr sp)
{
    boost::json::object o(sp);
    o.reserve(5);
    o.emplace("input_tokens", u.input_tokens);
    o.emplace("input_tokens_details", boost::json::object({{"cached_tokens", u.cached_tokens}}, sp));
    o.emplace("output_tokens", u.output_tokens);
    o.emplace("output_tokens_details", boost::json::object({{"reasoning_tokens", u.reasoning_tokens}}, sp));
    o.emplace("total_tokens", u.total_tokens);
    return o;
}

} // namespace

batch tag_invoke(boost::json::value_to_tag<batch>, const boost::json::value& v)
{
    const detail::object_reader r(v, "batch");
    r.check_object_tag("batch");

    batch b;
    b.id = r.required_string("id");
    b.endpoint = r.required_string("endpoint");
    b.input_file_id = r.required_string("input_file_id");
    b.completion_window = r.required_string("completion_window");
    b.status_text = r.required_string("status");
    b.status = parse_batch_status(b.status_text);
    b.created_at = r.required_int64("created_at");

    b.model = r.optional_string("model");
    if (const auto errors = r.optional_object("errors"))
        b.errors = read_errors(*errors);
    b.output_file_id = r.optional_string("output_file_id");
    b.error_file_id = r.optional_string("error_file_id");
    b.in_progress_at = r.optional_int64("in_progress_at");
    b.expires_at = r.optional_int64("expires_at");
    b.finalizing_at = r.optional_int64("finalizing_at");
    b.completed_at = r.optional_int64("completed_at");
    b.failed_at = r.optional_int64("failed_at");
    b.expired_at = r.optional_int64("expired_at");
    b.cancelling_at = r.optional_int64("cancelling_at");
    b.cancelled_at = r.optional_int64("cancelled_at");
    if (const auto counts = r.optional_object("request_counts"))
        b.request_counts = read_request_counts(*counts);
    if (const auto usage = r.optional_object("usage"))
        b.usage = read_usage(*usage);
    b.metadata = r.optional_string_map("metadata");
    return b;
}

// Writes every field in the API's order; unset optionals as null, like the API.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch& b)
{
    const boost::json::storage_ptr sp = v.storage();
    boost::json::object& o = v.emplace_object();
    o.reserve(22);
    o.emplace("id", b.id);
    o.emplace("object", "batch");
    o.emplace("endpoint", b.endpoint);
    detail::put_optional(o, "model", b.model);
    if (b.errors) {
        boost::json::array items(sp);
        items.reserve(b.errors->size());
        for (const batch_error& e : *b.errors)
            write_batch_error(items.emplace_back(boost::json::object(sp)).get_object(), e);
        o.emplace("errors", boost::json::object({{"object", "list"}, {"data", std::move(items)}}, sp));
    } else {
        o.emplace("errors", nullptr);
    }
    o.emplace("input_file_id", b.input_file_id);
    o.emplace("completion_window", b.completion_window);
    // An unknown status goes back out as it came in.
    o.emplace("status", b.status == batch_status::unknown ? std::string_view(b.status_text) : to_string(b.status));
    detail::put_optional(o, "output_file_id", b.output_file_id);
    detail::put_optional(o, "error_file_id", b.error_file_id);
    o.emplace("created_at", b.created_at);
    detail::put_optional(o, "in_progress_at", b.in_progress_at);
    detail::put_optional(o, "expires_at", b.expires_at);
    detail::put_optional(o, "finalizing_at", b.finalizing_at);
    detail::put_optional(o, "completed_at", b.completed_at);
    detail::put_optional(o, "failed_at", b.failed_at);
    detail::put_optional(o, "expired_at", b.expired_at);
    detail::put_optional(o, "cancelling_at", b.cancelling_at);
    detail::put_optional(o, "cancelled_at", b.cancelled_at);
    if (b.request_counts) {
        const batch_request_counts& c = *b.request_counts;
        o.emplace("request_counts",
                  boost::json::object({{"total", c.total}, {"completed", c.completed}, {"failed", c.failed}}, sp));
    } else {
        o.emplace("request_counts", nullptr);
    }
    if (b.usage)
        o.emplace("usage", usage_json(*b.usage, sp));
    else
        o.emplace("usage", nullptr);
    if (b.metadata)
        detail::put_string_map(o, "metadata", *b.metadata);
    else
        o.emplace("metadata", nullptr);
}

batch_error tag_invoke(boost::json::value_to_tag<batch_error>, const boost::json::value& v)
{
    return read_batch_error(detail::object_reader(v, "batch_error"));
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_error& e)
{
    write_batch_error(v.emplace_object(), e);
}

} // namespace batchwire
