#include <batchwire/emulator/batch_input_check.hpp>

#include <batchwire/batch_create_params.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace batchwire::emulator {

namespace {

batchwire::batch_error line_error(std::string code, std::string message, std::size_t line,
                                  std::optional<std::string> param = {})
{
    batchwire::batch_error e;
    e.code = std::move(code);
    e.message = std::move(message);
    e.param = std::move(param);
    e.line = static_cast<std::int64_t>(line);
    return e;
}

// The fields every request line needs (a custom_id, method POST, the batch's url, a body
// object): the first one wrong, or nothing.
std::optional<batchwire::batch_error> check_request_fields(const boost::json::object& obj, std::size_t line_no,
                                                           const input_check_params& params)
{
    const auto string_field = [&](std::string_view name) -> const boost::json::string* {
        const auto* f = obj.if_contains(name);
        return f ? f->if_string() : nullptr;
    };
    const std::string at = "Line " + std::to_string(line_no);
    const auto* custom_id = string_field("custom_id");
    if (!custom_id || custom_id->empty())
        return line_error("missing_required_parameter", at + " has no custom_id (a non-empty string).", line_no,
                          std::string("custom_id"));
    const auto* method = string_field("method");
    if (!method)
        return line_error("missing_required_parameter", at + " has no method.", line_no, std::string("method"));
    if (*method != "POST")
        return line_error("invalid_method", at + ": the method must be POST.", line_no, std::string("method"));
    const auto* url = string_field("url");
    if (!url)
        return line_error("missing_required_parameter", at + " has no url.", line_no, std::string("url"));
    const std::string_view url_text(url->data(), url->size());
    if (params.endpoint ? url_text != *params.endpoint : !batchwire::is_batch_endpoint(url_text)) {
        std::string message = at + ": the url '" + std::string(url_text.substr(0, 100)) + "' ";
        message += params.endpoint ? "does not match the batch endpoint '" + std::string(*params.endpoint) + "'."
                                   : "is not a batch endpoint.";
        return line_error("invalid_url", std::move(message), line_no, std::string("url"));
    }
    const auto* body = obj.if_contains("body");
    if (!body || !body->is_object())
        return line_error("missing_required_parameter", at + " has no body object.", line_no, std::string("body"));
    return std::nullopt;
}

// One non-blank line: its request appended to `requests`, or what is wrong with it.
std::optional<batchwire::batch_error> check_line(std::string_view line, std::size_t line_no,
                                                 const input_check_params& params,
                                                 std::unordered_map<std::string, std::size_t>& first_line_of,
                                                 std::vector<input_request>& requests)
{
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec || !v.is_object())
        return line_error("invalid_json_line", "Line " + std::to_string(line_no) + " is not a valid JSON object.",
                          line_no);
    const boost::json::object& obj = v.get_object();
    if (auto problem = check_request_fields(obj, line_no, params))
        return problem;
    const auto& custom_id = obj.at("custom_id").get_string();
    std::string id(custom_id.data(), custom_id.size());
    const auto [it, inserted] = first_line_of.emplace(id, line_no);
    if (!inserted)
        return line_error("duplicate_custom_id",
                          "Line " + std::to_string(line_no) + ": the custom_id '" + id.substr(0, 100) +
                              "' is already used on line " + std::to_string(it->second) + ".",
                          line_no, std::string("custom_id"));
    input_request request;
    request.custom_id = std::move(id);
    const auto& body = obj.at("body").get_object();
    if (const auto* model = body.if_contains("model"); model && model->is_string())
        request.model = std::string(model->get_string());
    requests.push_back(std::move(request));
    return std::nullopt;
}

} // namespace

input_check_result check_batch_input(std::string_view content, const input_check_params& params)
{
    input_check_result result;
    std::unordered_map<std::string, std::size_t> first_line_of; // custom_id -> line
    auto full = [&] { return result.errors.size() >= params.max_errors; };

    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < content.size() && !full()) {
        std::size_t eol = content.find('\n', pos);
        const bool last = eol == std::string_view::npos;
        if (last)
            eol = content.size();
        std::string_view line = content.substr(pos, eol - pos);
        pos = last ? content.size() : eol + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        ++line_no;

        if (line_no > params.max_lines) {
            result.errors.push_back(line_error("too_many_tasks",
                                               "The input file contains more than " +
                                                   std::to_string(params.max_lines) + " requests.",
                                               line_no));
            break;
        }
        if (line.find_first_not_of(" \t") == std::string_view::npos) {
            if (pos >= content.size() && line.empty())
                break; // the newline that ends the last line
            result.errors.push_back(line_error("invalid_json_line", "Line " + std::to_string(line_no) + " is empty.",
                                               line_no));
            continue;
        }

        if (auto problem = check_line(line, line_no, params, first_line_of, result.requests))
            result.errors.push_back(std::move(*problem));
    }

    if (result.errors.empty() && result.requests.empty() && !params.allow_empty)
        result.errors.push_back(line_error("empty_file", "The input file is empty: a batch needs at least one request.", 0));
    if (!result.errors.empty() && result.errors.back().code == "empty_file")
        result.errors.back().line.reset();
    return result;
}

} // namespace batchwire::emulator
