#include <batchwire/emulator/request_handler.hpp>

#include <batchwire/emulator/batch_input_check.hpp>
#include <batchwire/emulator/multipart_form.hpp>
#include <batchwire/metadata.hpp>
#include <batchwire/page.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/url/params_view.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <string>

namespace batchwire::emulator {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 6> file_purposes{"assistants", "batch", "fine-tune", "vision", "user_data",
                                                        "evals"};
constexpr std::int64_t min_expiry_seconds = 3600;
constexpr std::int64_t max_expiry_seconds = 2592000;

// The model serializers, plus the `object` field the wire format requires.
json::value batch_json(const batchwire::batch& b)
{
    json::value v = json::value_from(b);
    if (auto* o = v.if_object(); o && !o->contains("object"))
        (*o)["object"] = "batch";
    return v;
}

json::value file_json(const batchwire::file_object& f)
{
    json::value v = json::value_from(f);
    if (auto* o = v.if_object(); o && !o->contains("object"))
        (*o)["object"] = "file";
    return v;
}

api_error bad_json_body()
{
    return api_error::invalid_request(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
        "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)");
}

api_error missing_parameter(const std::string& name)
{
    return api_error::invalid_request("Missing required parameter: '" + name + "'.", name,
                                      std::string("missing_required_parameter"));
}

api_error invalid_type(const std::string& name, std::string_view expected)
{
    return api_error::invalid_request("Invalid type for '" + name + "': expected " + std::string(expected) + ".", name,
                                      std::string("invalid_type"));
}

api_error invalid_value(const std::string& name, const std::string& why)
{
    return api_error::invalid_request("Invalid value for '" + name + "': " + why, name, std::string("invalid_value"));
}

std::optional<std::int64_t> parse_int(std::string_view text)
{
    std::int64_t v = 0;
    const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    if (res.ec != std::errc{} || res.ptr != text.data() + text.size())
        return std::nullopt;
    return v;
}

void add_poll_hint(http_reply& reply, std::optional<std::chrono::milliseconds> hint)
{
    if (hint)
        reply.headers.emplace_back("openai-poll-after-ms", std::to_string(hint->count()));
}

// The optional fields of a create request; an error, or nothing when they were read.
std::optional<api_error> read_metadata(const json::value& m, batchwire::batch_create_params& p)
{
    if (!m.is_object())
        return invalid_type("metadata", "an object");
    batchwire::metadata_map map;
    for (const auto& kv : m.get_object()) {
        if (!kv.value().is_string())
            return invalid_type("metadata." + std::string(kv.key()).substr(0, 64), "a string");
        map.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
    }
    std::string why;
    if (batchwire::validate_metadata(map, &why))
        return invalid_value("metadata", why.empty() ? std::string("outside the documented limits.") : why);
    p.metadata = std::move(map);
    return std::nullopt;
}

std::optional<api_error> read_output_expiry(const json::value& x, batchwire::batch_create_params& p)
{
    if (!x.is_object())
        return invalid_type("output_expires_after", "an object");
    const json::object& xo = x.get_object();
    const json::value* anchor = xo.if_contains("anchor");
    const json::value* seconds = xo.if_contains("seconds");
    if (!anchor)
        return missing_parameter("output_expires_after.anchor");
    if (!seconds)
        return missing_parameter("output_expires_after.seconds");
    if (!anchor->is_string() || anchor->get_string() != "created_at")
        return invalid_value("output_expires_after.anchor", "expected 'created_at'.");
    if (!seconds->is_int64() && !seconds->is_uint64())
        return invalid_type("output_expires_after.seconds", "an integer");
    const std::int64_t s = seconds->is_int64() ? seconds->get_int64() : max_expiry_seconds + 1;
    if (s < min_expiry_seconds || s > max_expiry_seconds)
        return invalid_value("output_expires_after.seconds", "expected a value between 3600 and 2592000.");
    p.output_expires_after = batchwire::file_expiration{"created_at", s};
    return std::nullopt;
}

// The fields of a file upload, checked: the file part, its purpose, its expiry.
struct upload_fields {
    const form_part* file = nullptr;
    std::string purpose;
    std::optional<std::int64_t> expires_after;
};

std::variant<upload_fields, api_error> read_upload_fields(const multipart_form& form)
{
    upload_fields out;
    std::optional<std::string> purpose, anchor, seconds_text;
    for (const auto& part : form.parts) {
        if (part.name == "file") {
            if (!part.filename)
                return invalid_type("file", "a file (a part with a filename), not a string");
            out.file = &part;
        } else if (part.name == "purpose") {
            purpose = std::string(part.data);
        } else if (part.name == "expires_after[anchor]") {
            anchor = std::string(part.data);
        } else if (part.name == "expires_after[seconds]") {
            seconds_text = std::string(part.data);
        } else {
            return api_error::invalid_request("Unrecognized request argument supplied: " + part.name.substr(0, 100));
        }
    }
    if (!out.file)
        return missing_parameter("file");
    if (!purpose)
        return missing_parameter("purpose");
    if (std::find(file_purposes.begin(), file_purposes.end(), *purpose) == file_purposes.end())
        return invalid_value("purpose",
                             "expected one of 'assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'.");
    out.purpose = std::move(*purpose);
    if (anchor || seconds_text) {
        if (!anchor)
            return missing_parameter("expires_after[anchor]");
        if (!seconds_text)
            return missing_parameter("expires_after[seconds]");
        if (*anchor != "created_at")
            return invalid_value("expires_after[anchor]", "expected 'created_at'.");
        const auto secs = parse_int(*seconds_text);
        if (!secs || *secs < min_expiry_seconds || *secs > max_expiry_seconds)
            return invalid_value("expires_after[seconds]", "expected an integer between 3600 and 2592000.");
        out.expires_after = *secs;
    }
    return out;
}

} // namespace

request_handler::request_handler(api_state& state, const emulator_options& opts)
    : state_(state)
    , opts_(opts)
{
}

http_reply request_handler::handle(const route_match& route, http_request& req,
                                   std::optional<std::chrono::milliseconds> poll_after_hint)
{
    switch (route.id) {
    case route_id::create_file:
        return create_file(req);
    case route_id::retrieve_file:
        return retrieve_file(route);
    case route_id::download_file:
        return download_file(route);
    case route_id::create_batch: {
        http_reply r = create_batch(req);
        add_poll_hint(r, poll_after_hint);
        return r;
    }
    case route_id::list_batches: {
        http_reply r = list_batches(route);
        add_poll_hint(r, poll_after_hint);
        return r;
    }
    case route_id::retrieve_batch: {
        http_reply r = retrieve_batch(route);
        add_poll_hint(r, poll_after_hint);
        return r;
    }
    case route_id::cancel_batch: {
        http_reply r = cancel_batch(route);
        add_poll_hint(r, poll_after_hint);
        return r;
    }
    case route_id::method_not_allowed: {
        http_reply r = http_reply::error(api_error{405,
                                                   "Invalid method for URL (" + std::string(req.method_string()) +
                                                       " " + std::string(req.target().substr(0, 200)) + ").",
                                                   "invalid_request_error", std::nullopt, std::nullopt});
        r.headers.emplace_back("allow", route.allow);
        return r;
    }
    case route_id::bad_target:
        return http_reply::error(api_error::invalid_request("Invalid URL: the request target is malformed."));
    case route_id::not_found:
        break;
    }
    return http_reply::error(api_error{404,
                                       "Invalid URL (" + std::string(req.method_string()) + " " +
                                           std::string(req.target().substr(0, 200)) + ").",
                                       "invalid_request_error", std::nullopt, std::nullopt});
}

std::variant<batchwire::batch_create_params, api_error> request_handler::parse_create_batch(std::string_view body)
{
    boost::system::error_code ec;
    json::parse_options popts;
    popts.max_depth = 64;
    json::value v = json::parse(body, ec, {}, popts);
    if (ec || !v.is_object())
        return bad_json_body();
    const json::object& o = v.get_object();
    for (const auto& kv : o) {
        const std::string_view key = kv.key();
        if (key != "input_file_id" && key != "endpoint" && key != "completion_window" && key != "metadata" &&
            key != "output_expires_after")
            return api_error::invalid_request("Unrecognized request argument supplied: " +
                                              std::string(key.substr(0, 100)));
    }

    batchwire::batch_create_params p;
    auto required_string = [&](const char* name, std::string& out) -> std::optional<api_error> {
        const json::value* f = o.if_contains(name);
        if (!f || f->is_null())
            return missing_parameter(name);
        if (!f->is_string())
            return invalid_type(name, "a string");
        out = std::string(f->get_string());
        if (out.empty())
            return invalid_value(name, "expected a non-empty string.");
        return std::nullopt;
    };
    if (auto e = required_string("input_file_id", p.input_file_id))
        return *e;
    if (auto e = required_string("endpoint", p.endpoint))
        return *e;
    if (!batchwire::is_batch_endpoint(p.endpoint))
        return invalid_value("endpoint",
                             "expected one of '/v1/responses', '/v1/chat/completions', '/v1/embeddings', "
                             "'/v1/completions', '/v1/moderations', '/v1/images/generations', '/v1/images/edits', "
                             "'/v1/videos'.");
    if (auto e = required_string("completion_window", p.completion_window))
        return *e;
    if (p.completion_window != "24h")
        return invalid_value("completion_window", "only '24h' is supported.");

    if (const json::value* m = o.if_contains("metadata"); m && !m->is_null())
        if (auto e = read_metadata(*m, p))
            return *e;
    if (const json::value* x = o.if_contains("output_expires_after"); x && !x->is_null())
        if (auto e = read_output_expiry(*x, p))
            return *e;
    return p;
}

http_reply request_handler::create_batch(const http_request& req)
{
    auto parsed = parse_create_batch(req.body());
    if (auto* e = std::get_if<api_error>(&parsed))
        return http_reply::error(*e);
    auto created = state_.create_batch(std::get<batchwire::batch_create_params>(parsed));
    if (auto* e = std::get_if<api_error>(&created))
        return http_reply::error(*e);
    return http_reply::json(json::serialize(batch_json(std::get<batchwire::batch>(created))));
}

http_reply request_handler::retrieve_batch(const route_match& route)
{
    const auto b = state_.find_batch(route.path_id);
    if (!b)
        return http_reply::error(api_error::not_found("No batch found with id '" + route.path_id.substr(0, 100) + "'."));
    return http_reply::json(json::serialize(batch_json(*b)));
}

http_reply request_handler::cancel_batch(const route_match& route)
{
    auto result = state_.cancel_batch(route.path_id);
    if (auto* e = std::get_if<api_error>(&result))
        return http_reply::error(*e);
    return http_reply::json(json::serialize(batch_json(std::get<batchwire::batch>(result))));
}

http_reply request_handler::list_batches(const route_match& route)
{
    std::optional<std::string> after;
    std::size_t limit = 20;
    const boost::urls::params_view params(route.query);
    for (const auto& param : params) {
        if (param.key == "after") {
            if (param.value.empty())
                return http_reply::error(invalid_value("after", "expected a batch id."));
            after = param.value;
        } else if (param.key == "limit") {
            const auto n = parse_int(param.value);
            if (!n)
                return http_reply::error(api_error::invalid_request(
                    "Invalid 'limit': expected an integer, but got '" + param.value.substr(0, 50) + "' instead.",
                    std::string("limit"), std::string("invalid_type")));
            if (*n < 1)
                return http_reply::error(api_error::invalid_request(
                    "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got " +
                        std::to_string(*n) + " instead.",
                    std::string("limit"), std::string("integer_below_min_value")));
            if (*n > 100)
                return http_reply::error(api_error::invalid_request(
                    "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got " +
                        std::to_string(*n) + " instead.",
                    std::string("limit"), std::string("integer_above_max_value")));
            limit = static_cast<std::size_t>(*n);
        }
        // Other query parameters are ignored, as the API ignores unknown ones on GET.
    }
    auto list = state_.list_batches(after ? std::optional<std::string_view>(*after) : std::nullopt, limit);
    json::array data;
    data.reserve(list.data.size());
    for (const auto& b : list.data)
        data.push_back(batch_json(b));
    json::object page;
    page["object"] = "list";
    page["data"] = std::move(data);
    page["first_id"] = list.data.empty() ? json::value(nullptr) : json::value(list.data.front().id);
    page["last_id"] = list.data.empty() ? json::value(nullptr) : json::value(list.data.back().id);
    page["has_more"] = list.has_more;
    return http_reply::json(json::serialize(page));
}

http_reply request_handler::retrieve_file(const route_match& route)
{
    const auto f = state_.find_file(route.path_id);
    if (!f)
        return http_reply::error(
            api_error::not_found("No such File object: " + route.path_id.substr(0, 100), std::string("id")));
    return http_reply::json(json::serialize(file_json(f->meta)));
}

http_reply request_handler::download_file(const route_match& route)
{
    const auto f = state_.find_file(route.path_id);
    if (!f)
        return http_reply::error(
            api_error::not_found("No such File object: " + route.path_id.substr(0, 100), std::string("id")));
    http_reply r;
    r.content_type = "application/octet-stream";
    r.shared_storage = f->storage;
    r.shared_view = f->content;
    return r;
}

http_reply request_handler::create_file(http_request& req)
{
    const auto content_type = req[boost::beast::http::field::content_type];
    const auto boundary = multipart_boundary(content_type);
    if (!boundary)
        return http_reply::error(api_error::invalid_request(
            "Invalid Content-Type header, expected multipart/form-data with a boundary."));

    // The body becomes the storage of the file: the upload is never copied.
    auto storage = std::make_shared<const std::string>(std::move(req.body()));
    multipart_form form;
    std::string why;
    if (!parse_multipart(*storage, *boundary, form, why))
        return http_reply::error(api_error::invalid_request("Could not parse multipart form: " + why + "."));

    auto fields = read_upload_fields(form);
    if (auto* e = std::get_if<api_error>(&fields))
        return http_reply::error(*e);
    const auto& [file, purpose, expires_after] = std::get<upload_fields>(fields);

    if (file->data.size() > opts_.max_file_bytes)
        return http_reply::error(api_error{413,
                                           "File is too large: the limit is " + std::to_string(opts_.max_file_bytes) +
                                               " bytes.",
                                           "invalid_request_error", std::string("file"), std::nullopt});
    if (purpose == "batch") {
        input_check_params check;
        check.max_lines = opts_.max_file_lines;
        check.max_errors = 1;
        check.allow_empty = true;
        const auto result = check_batch_input(file->data, check);
        if (!result.errors.empty()) {
            const auto& e = result.errors.front();
            return http_reply::error(api_error::invalid_request("Invalid batch input file: " + e.message,
                                                                std::string("file"), e.code));
        }
    }

    auto stored = state_.add_file(*file->filename, purpose, storage, file->data, expires_after);
    return http_reply::json(json::serialize(file_json(stored->meta)));
}

} // namespace batchwire::emulator
