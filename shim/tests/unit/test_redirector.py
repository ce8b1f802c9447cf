import httpx
import pytest

from aml_jupyterhub.redirector import Redirector, RedirectRegistry, normalize_prefix


class Target:
    def __init__(self, url):
        self.url = url

    def redirect_target(self):
        return self.url


@pytest.mark.parametrize(
    "spec, prefix",
    [
        ("/user/alice/", "/user/alice/"),
        ("/user/alice", "/user/alice/"),
        ("alice.hub.example.org/user/alice/", "/user/alice/"),
        ("/jhub/user/alice/gpu/", "/jhub/user/alice/gpu/"),
    ],
)
def test_normalize_prefix(spec, prefix):
    assert normalize_prefix(spec) == prefix


def test_longest_prefix_wins_and_dead_targets_vanish():
    registry = RedirectRegistry()
    default, named = Target("https://a/lab"), Target("https://b/lab")
    registry.register("/user/alice/", default)
    registry.register("/user/alice/gpu/", named)
    assert registry.match("/user/alice/") is default
    assert registry.match("/user/alice/lab/tree/x.ipynb") is default
    assert registry.match("/user/alice/gpu/api") is named
    assert registry.match("/user/alice/gpu") is named
    assert registry.match("/user/bob/") is None
    del named
    assert registry.match("/user/alice/gpu/api") is default


def test_unregister_only_removes_its_own_entry():
    registry = RedirectRegistry()
    old, new = Target("old"), Target("new")
    registry.register("/user/alice/", old)
    registry.register("/user/alice/", new)
    registry.unregister("/user/alice/", old)
    assert registry.match("/user/alice/") is new


@pytest.fixture
async def redirector():
    redirector = Redirector()
    redirector.ensure_listening("127.0.0.1", 0)
    yield redirector
    redirector.stop()


async def get(redirector, path):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{redirector.port}") as client:
        return await client.get(path)


async def test_redirects_to_the_instance(redirector):
    target = Target("https://ci-abc.westeurope.instances.azureml.ms/lab")
    redirector.registry.register("/user/alice/", target)
    for path in ("/user/alice/", "/user/alice/api", "/user/alice/lab/tree/a.ipynb"):
        response = await get(redirector, path)
        assert response.status_code == 302
        assert response.headers["location"] == "https://ci-abc.westeurope.instances.azureml.ms/lab"
        assert response.headers["x-jupyterhub-version"]


async def test_not_running_yet_is_503(redirector):
    target = Target(None)
    redirector.registry.register("/user/alice/", target)
    response = await get(redirector, "/user/alice/api")
    assert response.status_code == 503 and response.headers["retry-after"] == "5"


async def test_unknown_path_is_404(redirector):
    response = await get(redirector, "/user/nobody/")
    assert response.status_code == 404
    assert "/hub/home" in response.text


async def test_listening_twice_keeps_the_first_port(redirector):
    assert redirector.ensure_listening("127.0.0.1", 0) == redirector.port


@pytest.mark.parametrize(
    "host, url",
    [
        ("127.0.0.1", "http://127.0.0.1:8082/user/alice/"),
        ("hub", "http://hub:8082/user/alice/"),
        ("::1", "http://[::1]:8082/user/alice/"),
    ],
)
def test_connect_url(host, url):
    from aml_jupyterhub.redirector import connect_url

    assert connect_url(host, 8082, "/user/alice/") == url


def test_connect_url_for_a_wildcard_bind_is_the_host_name():
    import socket

    from aml_jupyterhub.redirector import connect_url

    assert connect_url("0.0.0.0", 8082, "/") == f"http://{socket.gethostname()}:8082/"
