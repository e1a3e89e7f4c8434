// client_options from the environment, through a fake lookup (and once through the real one).

#include "../../src/env_config.hpp"

#include <batchwire/error.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace {

using namespace batchwire;
using header_list = std::vector<std::pair<std::string, std::string>>;

class fake_env {
public:
    fake_env(std::initializer_list<std::pair<const std::string, std::string>> vars) : vars_(vars) {}

    client_options read() const
    {
        return detail::client_options_from([this](const char* name) -> const char* {
            const auto it = vars_.find(name);
            return it == vars_.end() ? nullptr : it->second.c_str();
        });
    }

private:
    std::map<std::string, std::string> vars_;
};

struct failure {
    boost::system::error_code code;
    std::string message;
};

std::optional<failure> read_failure(const fake_env& env)
{
    try {
        (void)env.read();
    } catch (const batchwire::exception& e) {
        return failure{e.code(), e.get_diagnostics().message};
    }
    return std::nullopt;
}

header_list headers_from(const std::string& text)
{
    return fake_env{{"OPENAI_API_KEY", "sk-test"}, {"OPENAI_CUSTOM_HEADERS", text}}.read().default_headers;
}

} // namespace

BOOST_AUTO_TEST_SUITE(env_config)

BOOST_AUTO_TEST_CASE(defaults_with_only_the_key)
{
    const client_options o = fake_env{{"OPENAI_API_KEY", "sk-test"}}.read();
    const client_options defaults;
    BOOST_TEST(o.api_key == "sk-test");
    BOOST_TEST(o.base_url == "https://api.openai.com/v1");
    BOOST_TEST(o.organization.empty());
    BOOST_TEST(o.project.empty());
    BOOST_TEST(o.default_headers.empty());
    BOOST_TEST(o.retry.max_retries == defaults.retry.max_retries);
    BOOST_TEST(o.attempt_timeout.count() == defaults.attempt_timeout.count());
}

BOOST_AUTO_TEST_CASE(each_variable)
{
    const client_options o = fake_env{{"OPENAI_API_KEY", "sk-abc"},
                                      {"OPENAI_BASE_URL", "https://127.0.0.1:8443/v1"},
                                      {"OPENAI_ORG_ID", "org-1"},
                                      {"OPENAI_PROJECT_ID", "proj_2"},
                                      {"OPENAI_CUSTOM_HEADERS", "X-Trace: on"}}
                                 .read();
    BOOST_TEST(o.api_key == "sk-abc");
    BOOST_TEST(o.base_url == "https://127.0.0.1:8443/v1");
    BOOST_TEST(o.organization == "org-1");
    BOOST_TEST(o.project == "proj_2");
    BOOST_TEST((o.default_headers == header_list{{"X-Trace", "on"}}));
}

BOOST_AUTO_TEST_CASE(empty_base_url_means_the_default)
{
    const client_options o = fake_env{{"OPENAI_API_KEY", "k"}, {"OPENAI_BASE_URL", ""}}.read();
    BOOST_TEST(o.base_url == "https://api.openai.com/v1");
}

BOOST_AUTO_TEST_CASE(missing_or_empty_key_is_an_error)
{
    for (const fake_env& env : {fake_env{}, fake_env{{"OPENAI_API_KEY", ""}},
                                fake_env{{"OPENAI_BASE_URL", "https://example.com/v1"}}}) {
        const auto f = read_failure(env);
        BOOST_TEST_REQUIRE(f.has_value());
        BOOST_TEST(f->code == make_error_code(error::missing_api_key));
        BOOST_TEST(f->message == "OPENAI_API_KEY is not set");
    }
}

BOOST_AUTO_TEST_CASE(custom_headers_lines)
{
    BOOST_TEST((headers_from("") == header_list{}));
    BOOST_TEST((headers_from("A: 1\nB-c:2\n\n   \n  D_e  :   spaced value  \n") ==
                header_list{{"A", "1"}, {"B-c", "2"}, {"D_e", "spaced value"}}));
    // CRLF line ends, a colon inside the value, an empty value, a repeated name.
    BOOST_TEST((headers_from("A: x:y\r\nB:\r\nA: again") == header_list{{"A", "x:y"}, {"B", ""}, {"A", "again"}}));
    BOOST_TEST((headers_from("X-Tab:\ta\tb") == header_list{{"X-Tab", "a\tb"}}));
    BOOST_TEST((headers_from("!#$%&'*+-.^_`|~09azAZ: ok") == header_list{{"!#$%&'*+-.^_`|~09azAZ", "ok"}}));
}

BOOST_AUTO_TEST_CASE(bad_custom_header_lines)
{
    struct bad_line {
        const char* text;
        const char* line; // the line number the message must name
    };
    for (const bad_line& b : {bad_line{"sk-secret-value", "line 1"},
                              bad_line{"A: 1\nno colon sk-secret-value", "line 2"},
                              bad_line{"A: 1\n\nBad Name: sk-secret-value", "line 3"},
                              bad_line{": sk-secret-value", "line 1"},
                              bad_line{"X(y): sk-secret-value", "line 1"},
                              bad_line{"X-\xc3\xa9: sk-secret-value", "line 1"},
                              bad_line{"A: 1\nX: sk-secret\rvalue", "line 2"},
                              bad_line{"X: sk-secret\x01value", "line 1"},
                              bad_line{"X: sk-secret\x7fvalue", "line 1"}}) {
        BOOST_TEST_CONTEXT("OPENAI_CUSTOM_HEADERS line: " << b.line)
        {
            const auto f = read_failure(fake_env{{"OPENAI_API_KEY", "k"}, {"OPENAI_CUSTOM_HEADERS", b.text}});
            BOOST_TEST_REQUIRE(f.has_value());
            BOOST_TEST(f->code == make_error_code(error::invalid_argument));
            BOOST_TEST(f->message.find(std::string("OPENAI_CUSTOM_HEADERS ") + b.line + ":") == 0u);
            // Never the text: it may hold a secret.
            BOOST_TEST(f->message.find("secret") == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(from_env_reads_the_process_environment)
{
    // Saved and restored, so the rest of the run sees the environment it started with.
    const char* const names[] = {"OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
                                 "OPENAI_CUSTOM_HEADERS"};
    std::map<std::string, std::optional<std::string>> saved;
    for (const char* n : names) {
        const char* v = std::getenv(n);
        saved[n] = v ? std::optional<std::string>{v} : std::nullopt;
        ::unsetenv(n);
    }
    ::setenv("OPENAI_API_KEY", "sk-from-env", 1);
    ::setenv("OPENAI_PROJECT_ID", "proj_env", 1);
    std::optional<client_options> o;
    std::optional<failure> missing;
    try {
        o = client_options::from_env();
        ::unsetenv("OPENAI_API_KEY");
        (void)client_options::from_env();
    } catch (const batchwire::exception& e) {
        missing = failure{e.code(), e.get_diagnostics().message};
    }
    for (const auto& [n, v] : saved) {
        if (v)
            ::setenv(n.c_str(), v->c_str(), 1);
        else
            ::unsetenv(n.c_str());
    }
    BOOST_TEST_REQUIRE(o.has_value());
    BOOST_TEST(o->api_key == "sk-from-env");
    BOOST_TEST(o->project == "proj_env");
    BOOST_TEST(o->base_url == "https://api.openai.com/v1");
    BOOST_TEST_REQUIRE(missing.has_value());
    BOOST_TEST(missing->code == make_error_code(error::missing_api_key));
}

BOOST_AUTO_TEST_SUITE_END()
