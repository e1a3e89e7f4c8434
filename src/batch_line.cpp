// JSONL lines of batch input, output and error files.

#include <batchwire/batch_line.hpp>

#include "json_fields.hpp"

#include <boost/json/conversion.hpp>
#include <boost/json/object.hpp>

#include <string>

namespace batchwire {

namespace {

// A body that is absent reads as null, so that writing it back gives `"body": null`.
boost::json::value body_of(const detail::object_reader& r)
{
    const boost::json::value* body = r.find("body");
    return body ? *body : boost::json::value();
}

int status_code_of(const detail::object_reader& r)
{
    const std::int64_t code = r.required_int64("status_code");
    if (code < 0 || code > 999) // three digits at most
        detail::throw_invalid_response(r.field_path("status_code") + ": " + std::to_string(code) +
                                       " is not an HTTP status");
    return static_cast<int>(code);
}

} // namespace

batch_input_line tag_invoke(boost::json::value_to_tag<batch_input_line>, const boost::json::value& v)
{
    const detail::object_reader r(v, "batch_input_line");
    batch_input_line l;
    l.custom_id = r.required_string("custom_id");
    if (auto method = r.optional_string("method"))
        l.method = std::move(*method);
    l.url = r.string_or_empty("url");
    l.body = body_of(r);
    return l;
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_input_line& l)
{
    boost::json::object& o = v.emplace_object();
    o.reserve(4);
    o.emplace("custom_id", l.custom_id);
    o.emplace("method", l.method);
    o.emplace("url", l.url);
    o.emplace("body", l.body);
}

batch_output_line tag_invoke(boost::json::value_to_tag<batch_output_line>, const boost::json::value& v)
{
    const detail::object_reader r(v, "batch_output_line");
    batch_output_line l;
    l.id = r.string_or_empty("id");
    l.custom_id = r.required_string("custom_id");
    if (const auto response = r.optional_object("response"))
        l.response = batch_line_response{status_code_of(*response), response->string_or_empty("request_id"),
                                         body_of(*response)};
    if (const auto e = r.optional_object("error"))
        l.error = batch_line_error{e->string_or_empty("code"), e->string_or_empty("message")};
    return l;
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_output_line& l)
{
    const boost::json::storage_ptr sp = v.storage();
    boost::json::object& o = v.emplace_object();
    o.reserve(4);
    o.emplace("id", l.id);
    o.emplace("custom_id", l.custom_id);
    if (l.response)
        o.emplace("response", boost::json::object({{"status_code", l.response->status_code},
                                                   {"request_id", l.response->request_id},
                                                   {"body", l.response->body}},
                                                  sp));
    else
        o.emplace("response", nullptr);
    if (l.error)
        o.emplace("error", boost::json::object({{"code", l.error->code}, {"message", l.error->message}}, sp));
    else
        o.emplace("error", nullptr);
}

} // namespace batchwire
