import datetime as dt
import threading
import tomllib

import pytest
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.config import SETTINGS, default_toml, load_config
from zaitun.errors import ConfigError
from zaitun.project import Project


def write(tmp_path, text):
    path = tmp_path / "zaitun.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_means_defaults(tmp_path):
    cfg = load_config(tmp_path / "zaitun.toml")
    assert cfg.get("translate.provider") == "offline"
    assert cfg.get("translate.concurrency") == 1


def test_languages_are_accepted_only_at_the_pair_zaitun_implements(tmp_path):
    """zh -> en is all zaitun translates and publishes; no setting may claim otherwise."""
    cfg = load_config(write(tmp_path, '[project]\nsource_language = "zh"\ntarget_languages = ["en"]\n'))
    with pytest.raises(KeyError):
        cfg.get("project.target_languages")
    with pytest.raises(ConfigError, match="unsupported target_languages = \\['en', 'fr'\\].*remove the line"):
        load_config(write(tmp_path, '[project]\ntarget_languages = ["en", "fr"]\n'))


def test_values_override_defaults(tmp_path):
    cfg = load_config(write(tmp_path, '[site]\nbase_url = "https://quanzhou.example"\ntitle.en = "QZ"\n'))
    assert cfg.get("site.base_url") == "https://quanzhou.example"
    assert cfg.get("site.title.en") == "QZ"


@pytest.mark.parametrize("text, message, line", [
    ('[site]\nbase_ur = "x"\n', "unknown setting 'site.base_ur'", 2),
    ("[translate]\ntimeout = \"ten\"\n", "'translate.timeout' must be float", 2),
    ("[review]\nport = true\n", "'review.port' must be int", 2),
    ('[site]\nbase_url = "ftp://x"\n', "must start with http", 2),
    ('[publish]\ns3_target = "bucket"\n', "s3://bucket/prefix", 2),
    ('[publish]\ns3_target = "s3://site"\n', "s3://site has no prefix: a deploy would share the whole bucket", 2),
    ('[publish]\ns3_target = "s3://site/a/../b"\n', "its prefix holds '.', '..' or '//'", 2),
    ('[publish]\nwebsub_hub = "https://user:HubPw42@hub.example.com/"\n',
     "'publish.websub_hub' holds a user name or password (https://…@hub.example.com): it is written", 2),
    ('[site]\nbase_url = "https://admin@gov.example.org/"\n', "'site.base_url' holds a user name or password", 2),
    ('[publish]\nwebsub_hub = "hub.example.com"\n', "'publish.websub_hub' must start with http:// or https://", 2),
    ('[publish]\ns3_endpoint_url = "127.0.0.1:5010"\n', "'publish.s3_endpoint_url' must start with http", 2),
    ("[review]\nhost = \"0.0.0.0\"\nsession_idle_minutes = 0\n", "'review.session_idle_minutes' must be at least 1", 3),
    ("[site\n", "invalid TOML", 1),
    ("[review]\nport = 99999\n", "'review.port' must be a port from 1 to 65535", 2),
    ("[publish]\npreview_port = 0\n", "'publish.preview_port' must be a port from 1 to 65535", 2),
    # two parts of zaitun up on one port: the second could not start (a traceback, or a port named as no setting)
    ("[review]\nport = 28400\n[publish]\npreview_port = 28400\n",
     "'publish.preview_port' is 28400, the port of 'review.port' too: zaitun up listens on each", 4),
    ("[review]\nport = 4200\n", "'review.port' is 4200, the port of 'prefect.port' too", 2),
    ('[site]\ntimezone = "China/Quanzhou"\n', "unknown time zone 'China/Quanzhou' in 'site.timezone'", 2),
    ('[site]\nbase_url = "http://"\n', "'site.base_url' has no host", 2),
    ('[site]\nbase_url = "https://example.org/site?x=1#frag"\n', "'site.base_url' holds a query (?) or a fragment", 2),
    ('[site]\nbase_url = "https://example.org/site#top"\n', "'site.base_url' holds a query (?) or a fragment", 2),
    ('[site]\nbase_url = "https://exa mple.org/"\n', "'site.base_url' holds a space", 2),
    ('[site]\nbase_url = "https://ex!ample.org/"\n', "'site.base_url' has an invalid host 'ex!ample.org'", 2),
    ('[site]\nbase_url = "https://example.org:99999/"\n', "'site.base_url' has an invalid port", 2),
    ('[site]\nbase_url = "https://example.org:0/"\n', "'site.base_url' has an invalid port", 2),
    ('[site]\nbase_url = "https://[::1/"\n', "'site.base_url' has an invalid IPv6 address in [ ]", 2),
])
def test_invalid_settings_are_reported_with_line(tmp_path, text, message, line):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert message in info.value.message and info.value.line == line


@pytest.mark.parametrize("url", ["https://example.org/site/", "http://127.0.0.1:8000", "https://[2001:db8::1]:8443/",
                                 "https://泉州.中国/", "https://example.org:/"])
def test_a_base_url_with_a_path_a_port_an_ipv6_or_a_chinese_host_is_accepted(tmp_path, url):
    assert load_config(write(tmp_path, f'[site]\nbase_url = "{url}"\n')).get("site.base_url") == url


def test_check_names_a_base_url_pages_cannot_be_added_to_at_its_line(tmp_path):
    """`base_url = "http://"` published `<link>http:/en/</link>`, and a query ended up before every page's path."""
    from zaitun.scaffold import init_project

    init_project(tmp_path / "p", with_sample=False)
    config = tmp_path / "p" / "zaitun.toml"
    text = config.read_text(encoding="utf-8")
    line = text.splitlines().index('base_url = "http://127.0.0.1:8000"') + 1
    for url, reason in [("http://", "has no host"), ("https://example.org/site?x=1#frag", "holds a query (?)"),
                        ("https://example.org:99999/", "has an invalid port")]:
        config.write_text(text.replace('base_url = "http://127.0.0.1:8000"', f'base_url = "{url}"'), encoding="utf-8")
        result = CliRunner().invoke(app, ["--project", str(tmp_path / "p"), "check"])
        assert result.exit_code == 1 and f"{config}:{line}: 'site.base_url' {reason}" in result.output, result.output


def test_a_whole_bucket_target_is_accepted_when_the_setting_says_the_site_is_the_whole_bucket(tmp_path):
    cfg = load_config(write(tmp_path, '[publish]\ns3_target = "s3://site"\ns3_bucket_root = true\n'))
    assert cfg.get("publish.s3_target") == "s3://site"


def test_a_password_in_the_websub_hub_is_never_shown_in_an_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, '[publish]\nwebsub_hub = "https://user:HubPw42@hub.example.com/"\n'))
    assert "HubPw42" not in str(info.value) and "user" not in info.value.message.split("(")[1]


def test_every_invalid_setting_is_named_at_once_the_first_at_its_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, '[site]\nexpiry_warning_days = "sixty"\npage_sise = 3\nbase_url = "ftp://x"\n'))
    assert info.value.line == 2 and info.value.message == (
        "'site.expiry_warning_days' must be int, got 'sixty' (also line 3: unknown setting 'site.page_sise' (see "
        "`zaitun config --list`); line 4: 'site.base_url' must start with http:// or https://)")


def test_a_notification_url_apprise_does_not_understand_is_named_by_check_at_its_line(tmp_path):
    from zaitun.check import check_project
    from zaitun.scaffold import init_project

    init_project(tmp_path / "p", with_sample=False)
    config = tmp_path / "p" / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "\npublished = []", '\npublished = ["json://127.0.0.1:9/x", "notaschema://x/y"]'), encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index(
        'published = ["json://127.0.0.1:9/x", "notaschema://x/y"]') + 1
    assert f"{config}:{line}: notify.published URL 2 (notaschema://) is not understood by Apprise: fix it (see " \
           "https://github.com/caronc/apprise/wiki)" in [str(p) for p in check_project(Project(tmp_path / "p"))]


def test_a_notification_url_from_the_environment_is_named_by_its_variable_not_a_line_of_zaitun_toml(
        tmp_path, monkeypatch):
    from zaitun.check import check_project
    from zaitun.scaffold import init_project

    init_project(tmp_path / "p", with_sample=False)  # its zaitun.toml says `failure = []`
    monkeypatch.setenv("ZAITUN_NOTIFY_FAILURE", "bogus://x")
    assert f"{tmp_path / 'p' / 'zaitun.toml'}: notify.failure URL 1 (bogus://), from the environment variable " \
           "ZAITUN_NOTIFY_FAILURE, is not understood by Apprise" in " ".join(
               str(p) for p in check_project(Project(tmp_path / "p")))
    assert Project(tmp_path / "p").config.where("notify.failure") == \
        "notify.failure (environment variable ZAITUN_NOTIFY_FAILURE)"


def test_every_setting_has_help_and_appears_in_the_generated_file(tmp_path):
    assert all(s.help.strip() for s in SETTINGS)
    generated = default_toml()
    cfg = load_config(write(tmp_path, generated))
    for s in SETTINGS:
        assert s.help in generated
        assert cfg.get(s.name) == s.default
    assert tomllib.loads(generated)


def test_credentials_fall_back_to_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPL_API_KEY", "from-env")
    assert load_config(tmp_path / "none.toml").secret("translate.api_key", "DEEPL_API_KEY") == "from-env"


def test_the_day_is_quanzhous_not_the_servers_so_a_notice_expires_at_midnight_there(tmp_path):
    """A server on UTC at 20:00 on 31 December: in Quanzhou (UTC+8) it is 1 January, and a notice valid
    until 31 December has expired."""
    project = Project(tmp_path)
    evening_utc = dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)
    assert project.today(evening_utc) == dt.date(2027, 1, 1)
    assert project.today(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 31)
    (tmp_path / "zaitun.toml").write_text('[site]\ntimezone = "UTC"\n', encoding="utf-8")
    assert Project(tmp_path).today(evening_utc) == dt.date(2026, 12, 31)


def test_config_list_gives_the_default_of_each_setting_the_project_changed(tmp_path):
    write(tmp_path, "[site]\npage_size = 30\n")
    listed = CliRunner().invoke(app, ["--project", str(tmp_path), "config", "--list"])
    assert listed.exit_code == 0, listed.output
    lines = {line.split(" = ")[0]: line for line in listed.output.splitlines()}
    assert lines["site.page_size"].startswith("site.page_size = 30 ")
    assert lines["site.page_size"].endswith("(default: 20)")
    assert "(default:" not in lines["site.timezone"]  # as the default: nothing to add


def test_config_shows_every_url_setting_without_its_password_or_secret_query_values(tmp_path):
    write(tmp_path, '[translate]\nprovider_url = "http://user:LIBREPASS@127.0.0.1:5000/?api_key=LK&lang=zh"\n'
                    '[publish]\ns3_endpoint_url = "http://AK:S/K@127.0.0.1:15003"\n'
                    '[social]\nmastodon_url = "https://masto.example/?access_token=MTOK"\n'
                    '[review]\ndatabase_url = "postgresql+psycopg://zaitun:hunter2@db.example/zaitun?sslmode=require"\n')
    listed = CliRunner().invoke(app, ["--project", str(tmp_path), "config"])
    assert listed.exit_code == 0, listed.output
    for secret in ("LIBREPASS", "LK", "S/K", "MTOK", "hunter2"):
        assert secret not in listed.output
    assert "translate.provider_url = 'http://user:***@127.0.0.1:5000/?api_key=***&lang=zh'" in listed.output
    assert "publish.s3_endpoint_url = 'http://AK:***@127.0.0.1:15003'" in listed.output
    assert "social.mastodon_url = 'https://masto.example/?access_token=***'" in listed.output
    assert "review.database_url = 'postgresql+psycopg://zaitun:***@db.example/zaitun?sslmode=require'" in listed.output
    shown = CliRunner().invoke(app, ["--project", str(tmp_path), "config", "--show-secrets"]).output
    assert all(secret in shown for secret in ("LIBREPASS", "LK", "S/K", "MTOK", "hunter2"))
    write(tmp_path, '[review]\ndatabase_url = "postgresql://zaitun:ab#c?d@db/zaitun"\n')  # as SQLAlchemy reads it
    listed = CliRunner().invoke(app, ["--project", str(tmp_path), "config"]).output
    assert "ab#c" not in listed and "review.database_url = 'postgresql://zaitun:***@db/zaitun'" in listed


def test_a_zaitun_toml_caught_half_written_is_read_once_the_editor_has_written_it(tmp_path):
    """An editor saving in place empties the file, then writes it: a long-running process that read it in between
    took all defaults (other ports, another output folder). It reads the file once it has been quiet."""
    config = tmp_path / "zaitun.toml"
    write(tmp_path, "[site]\npage_size = 30\n")
    project = Project(tmp_path)
    assert project.config.get("site.page_size") == 30
    config.write_text("", encoding="utf-8")  # the editor's truncation, its write a tenth of a second later
    writer = threading.Timer(0.1, config.write_text, ("[site]\npage_size = 40\n",), {"encoding": "utf-8"})
    writer.start()
    assert project.config_changed()
    assert project.reload_config().get("site.page_size") == 40
    writer.join()
    assert not project.config_changed()


def test_a_zaitun_toml_saved_in_gbk_or_a_folder_so_named_is_named_at_its_line_not_a_traceback(tmp_path):
    """Notepad's "ANSI" on Chinese Windows is GBK: every command stopped with a traceback (so did a folder named
    zaitun.toml). Each is now a ConfigError naming the file, and the line of the first byte that is not UTF-8."""
    config = tmp_path / "zaitun.toml"
    config.write_bytes('[site]\npage_size = 30\ntitle.zh = "泉州市政府信息"\n'.encode("gbk"))
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert info.value.line == 3 and "not UTF-8" in info.value.message and "save the file as UTF-8" in info.value.message
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "check"])
    assert result.exit_code == 1 and f"{config}:3: not UTF-8 text" in result.output
    assert isinstance(result.exception, SystemExit)  # the command ended with its exit status, not an error
    config.unlink()
    config.mkdir()
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(config)


def test_a_zaitun_toml_with_a_byte_order_mark_is_read(tmp_path):
    """Notepad writes UTF-8 with a byte-order mark: tomllib took it for a statement ("invalid TOML" at 1:1)."""
    config = tmp_path / "zaitun.toml"
    config.write_bytes(b"\xef\xbb\xbf" + '[site]\npage_size = 30\ntitle.zh = "泉州"\n'.encode())
    assert load_config(config).get("site.page_size") == 30
    assert load_config(config).line("site.title.zh") == 3
