#include "help_text.hpp"

#include <algorithm>
#include <vector>

#ifndef BATCHWIRE_CLI_VERSION
#define BATCHWIRE_CLI_VERSION "unknown"
#endif

namespace batchwire::cli {

namespace {

std::string option_label(const option_spec& o)
{
    std::string label = o.short_name ? std::string("-") + o.short_name + ", " : std::string("    ");
    label += "--";
    label += o.name;
    if (o.takes_value()) {
        label += ' ';
        label += o.value_name;
    }
    return label;
}

void append_options(std::string& out, std::span<const option_spec> options)
{
    std::size_t width = 0;
    for (const auto& o : options)
        width = std::max(width, option_label(o).size());
    for (const auto& o : options) {
        const std::string label = option_label(o);
        out += "  ";
        out += label;
        out.append(width - label.size() + 2, ' ');
        out += o.help;
        out += '\n';
    }
}

// Keep in step with exit_status.hpp.
constexpr std::string_view exit_statuses =
    "Exit status:\n"
    "  0    success (watch, cancel --watch: the batch completed)\n"
    "  1    any other failure (e.g. a response that does not match the API)\n"
    "  2    usage error: bad command line, OPENAI_API_KEY missing, bad base URL\n"
    "  3    API error: the server answered with an HTTP error status\n"
    "  4    network or TLS error (connect, handshake, connection lost, bad HTTP)\n"
    "  5    timeout: an attempt timed out, or a call's or the watch's deadline passed\n"
    "  6    local file error (the file to upload, the CA file, an output file, stdout)\n"
    "  10   watch, cancel --watch: the batch ended cancelled\n"
    "  11   watch, cancel --watch: the batch ended failed\n"
    "  12   watch, cancel --watch: the batch ended expired\n"
    "  130  interrupted (Ctrl-C)\n";

} // namespace

std::string top_level_help()
{
    std::string out =
        "Usage: batchwire [GLOBAL OPTIONS] COMMAND [OPTIONS] ARGS...\n"
        "\n"
        "A command-line client for the OpenAI Batch API. API objects are printed as JSON on\n"
        "stdout; errors as one line on stderr (status, type, code, message, request id).\n"
        "\n"
        "Commands:\n";
    std::size_t width = 0;
    for (const command_spec* c : all_commands())
        width = std::max(width, c->syntax.name.size());
    for (const command_spec* c : all_commands()) {
        out += "  ";
        out += c->syntax.name;
        out.append(width - c->syntax.name.size() + 2, ' ');
        out += c->summary;
        out += '\n';
    }
    out += "\nRun 'batchwire COMMAND --help' for a command's options.\n\nGlobal options (before or after the command):\n";
    // --help and --version are handled by the parser itself, but listed with the rest.
    std::vector<option_spec> listed(global_option_specs().begin(), global_option_specs().end());
    listed.push_back({"help", 'h', "", "this text; after a command, that command's help"});
    listed.push_back({"version", 0, "", "print the version"});
    append_options(out, listed);
    out +=
        "\n"
        "Durations (D) are written like 500ms, 30s, 10m, 1h or 1m30s.\n"
        "\n"
        "Environment (options override it):\n"
        "  OPENAI_API_KEY         the API key (required; never printed or logged)\n"
        "  OPENAI_BASE_URL        the base URL (default https://api.openai.com/v1)\n"
        "  OPENAI_ORG_ID          sent as OpenAI-Organization\n"
        "  OPENAI_PROJECT_ID      sent as OpenAI-Project\n"
        "  OPENAI_CUSTOM_HEADERS  extra headers, one \"Name: value\" per line\n"
        "  SSL_CERT_FILE          a CA bundle to trust instead of the system's default\n"
        "  OPENAI_WEBHOOK_SECRET  webhook listen: the webhook signing secret (never printed)\n"
        "\n";
    out += exit_statuses;
    return out;
}

std::string command_help(const command_spec& command)
{
    std::string out = "Usage: batchwire [GLOBAL OPTIONS] ";
    out += command.synopsis;
    out += "\n\n";
    if (!command.description.empty()) {
        out += command.description;
        out += "\n\n";
    }
    if (!command.syntax.options.empty()) {
        out += "Options:\n";
        append_options(out, command.syntax.options);
        out += '\n';
    }
    out += "Global options, environment and exit statuses: 'batchwire --help'.\n";
    return out;
}

std::string version_text() { return "batchwire " BATCHWIRE_CLI_VERSION "\n"; }

} // namespace batchwire::cli
