import httpx
import pytest

from aml_jupyterhub.redirector import Holding, Redirector, RedirectRegistry, instance_url, normalize_prefix


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


async def test_redirects_to_the_instance_keeping_the_path_and_query(redirector):
    target = Target("https://ci-abc.westeurope.instances.azureml.ms/lab")
    redirector.registry.register("/user/alice/", target)
    cases = {
        "/user/alice/": "https://ci-abc.westeurope.instances.azureml.ms/lab",
        "/user/alice": "https://ci-abc.westeurope.instances.azureml.ms/lab",
        "/user/alice/api": "https://ci-abc.westeurope.instances.azureml.ms/api",
        "/user/alice/lab/tree/a%20b.ipynb": "https://ci-abc.westeurope.instances.azureml.ms/lab/tree/a%20b.ipynb",
        "/user/alice/git-pull?repo=https%3A%2F%2Fgithub.com%2Fx%2Fy&urlpath=lab": (
            "https://ci-abc.westeurope.instances.azureml.ms/git-pull?repo=https%3A%2F%2Fgithub.com%2Fx%2Fy&urlpath=lab"
        ),
        "/user/alice/?x=1": "https://ci-abc.westeurope.instances.azureml.ms/?x=1",
    }
    for path, location in cases.items():
        response = await get(redirector, path)
        assert response.status_code == 302, path
        assert response.headers["location"] == location, path
        assert response.headers["x-jupyterhub-version"]


@pytest.mark.parametrize(
    "lab_url, rest, query, expected",
    [
        ("https://h/instances/ci-1/lab", "lab/tree/x.ipynb", "", "https://h/instances/ci-1/lab/tree/x.ipynb"),
        ("https://h/instances/ci-1/lab/", "git-pull", "repo=r", "https://h/instances/ci-1/git-pull?repo=r"),
        ("https://h/instances/ci-1/tree", "api", "", "https://h/instances/ci-1/api"),
        ("https://h/lab?token=t", "lab/tree/a", "b=1", "https://h/lab/tree/a?token=t&b=1"),
        ("https://h/lab?token=t", "", "", "https://h/lab?token=t"),
        ("https://h/lab", "//evil.example/x", "", "https://h/evil.example/x"),
    ],
)
def test_instance_url(lab_url, rest, query, expected):
    assert instance_url(lab_url, rest, query) == expected


async def test_not_running_and_not_starting_is_503(redirector):
    target = Target(None)
    redirector.registry.register("/user/alice/", target)
    response = await get(redirector, "/user/alice/api")
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "not running" in response.text and "/hub/home" in response.text


class Starting(Target):
    def __init__(self, holding):
        super().__init__(None)
        self.holding = holding

    def holding_status(self):
        return self.holding


async def test_a_starting_server_holds_the_person_on_a_page_that_follows_it(redirector):
    target = Starting(Holding("Creating your Medium server in ocean-lab: Creating compute instance", 40, 2))
    redirector.registry.register("/user/alice/", target)
    response = await get(redirector, "/user/alice/lab/tree/x.ipynb")
    # 200: the hub's check of a restarted server's address counts it as up
    assert response.status_code == 200
    assert "Your server is still starting (2 min so far)" in response.text
    assert "Creating your Medium server in ocean-lab" in response.text
    assert 'aria-valuenow="40"' in response.text
    assert '<meta http-equiv="refresh" content="5">' in response.text
    # once running, the same address (path kept) goes on to the instance
    target.url = "https://h/instances/ci-1/lab"
    response = await get(redirector, "/user/alice/lab/tree/x.ipynb")
    assert response.status_code == 302
    assert response.headers["location"] == "https://h/instances/ci-1/lab/tree/x.ipynb"


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
