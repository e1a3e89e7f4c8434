#include <batchwire/emulator/batch_input_check.hpp>

#include <batchwire/batch_create_params.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>

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

        boost::system::error_code ec;
        boost::json::value v = boost::json::parse(line, ec);
        if (ec || !v.is_object()) {
            result.errors.push_back(line_error("invalid_json_line",
                                               "Line " + std::to_string(line_no) +
                                                   " is not a valid JSON object.",
                                               line_no));
            continue;
        }
        const boost::json::object& obj = v.get_object();
        auto string_field = [&](std::string_view name) -> const boost::json::string* {
            const auto* f = obj.if_contains(name);
            return f ? f->if_string() : nullptr;
        };

        const auto* custom_id = string_field("custom_id");
        if (!custom_id || custom_id->empty()) {
            result.errors.push_back(line_error("missing_required_parameter",
                                               "Line " + std::to_string(line_no) +
                                                   " has no custom_id (a non-empty string).",
                                               line_no, std::string("custom_id")));
            continue;
        }
        const auto* method = string_field("method");
        if (!method) {
            result.errors.push_back(line_error("missing_required_parameter",
                                               "Line " + std::to_string(line_no) + " has no method.", line_no,
                                               std::string("method")));
            continue;
        }
        if (*method != "POST") {
            result.errors.push_back(line_error("invalid_method",
                                               "Line " + std::to_string(line_no) +
                                                   ": the method must be POST.",
                                               line_no, std::string("method")));
            continue;
        }
        const auto* url = string_field("url");
        if (!url) {
            result.errors.push_back(line_error("missing_required_parameter",
                                               "Line " + std::to_string(line_no) + " has no url.", line_no,
                                               std::string("url")));
            continue;
        }
        const std::string_view url_text(url->data(), url->size());
        if (params.endpoint ? url_text != *params.endpoint : !batchwire::is_batch_endpoint(url_text)) {
            std::string message = "Line " + std::to_string(line_no) + ": the url '" + std::string(url_text.substr(0, 100)) + "' ";
            message += params.endpoint ? "does not match the batch endpoint '" + std::string(*params.endpoint) + "'."
                                       : "is not a batch endpoint.";
            result.errors.push_back(line_error("invalid_url", std::move(message), line_no, std::string("url")));
            continue;
        }
        const auto* body = obj.if_contains("body");
        if (!body || !body->is_object()) {
            result.errors.push_back(line_error("missing_required_parameter",
                                               "Line " + std::to_string(line_no) + " has no body object.",
                                               line_no, std::string("body")));
            continue;
        }

        std::string id(custom_id->data(), custom_id->size());
        const auto [it, inserted] = first_line_of.emplace(id, line_no);
        if (!inserted) {
            result.errors.push_back(line_error("duplicate_custom_id",
                                               "Line " + std::to_string(line_no) + ": the custom_id '" +
                                                   id.substr(0, 100) + "' is already used on line " +
                                                   std::to_string(it->second) + ".",
                                               line_no, std::string("custom_id")));
            continue;
        }
        input_request request;
        request.custom_id = std::move(id);
        if (const auto* model = body->get_object().if_contains("model"); model && model->is_string())
            request.model = std::string(model->get_string());
        result.requests.push_back(std::move(request));
    }

    if (result.errors.empty() && result.requests.empty() && !params.allow_empty)
        result.errors.push_back(line_error("empty_file", "The input file is empty: a batch needs at least one request.", 0));
    if (!result.errors.empty() && result.errors.back().code == "empty_file")
        result.errors.back().line.reset();
    return result;
}

} // namespace batchwire::emulator
