"""What the ingest tests share: sample documents and the calls that parse them."""

from __future__ import annotations

import re
from pathlib import Path

from index.ingest import Parsed, iter_inputs
from index.model import Article

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PASSWD_LINE = re.compile(r"root:.*:0:0:")


def run(*inputs: str | Path, **kwargs) -> list[Parsed]:
    return list(iter_inputs([str(i) for i in inputs], **kwargs))


def articles(results: list[Parsed]) -> list[Article]:
    return [r.article for r in results if r.article]


def failures(results: list[Parsed]) -> dict[str, str]:
    return {r.failure.path: r.failure.reason for r in results if r.failure}


def one(*inputs: str | Path, **kwargs) -> Article:
    results = run(*inputs, **kwargs)
    assert len(results) == 1 and results[0].article, results
    return results[0].article


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


HTML_PAGE = (
    "<html><head><title>Site | Page</title><style>body{color:red}</style>"
    "<meta property='og:site_name' content='The Site'>"
    "<meta name='author' content='Jane Roe'>"
    "<script>alert('x')</script></head><body>"
    "<nav>Home | About | Login</nav><header>Masthead text</header>"
    "<article><h1>Palmyra retaken</h1>"
    "<p>Syrian troops entered the ancient city of Palmyra on Thursday, officials said.</p>"
    "<p>The city has changed hands several times during the long war in Syria.</p>"
    "<p>Further fighting was reported around the old citadel late on Friday.</p>"
    "</article><aside>Related: other stories</aside><footer>Copyright footer</footer>"
    "</body></html>"
)

RSS = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://x.invalid/rss.dtd">
<rss version="2.0"><channel><title>Good feed</title>
<item><title>Feed item about Palmyra</title><link>http://example.com/a</link>
<author>ann@example.com (Ann)</author>
<pubDate>Wed, 31 May 2017 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Russian warships fired.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Second.&lt;/p&gt;</description></item>
<item><link>http://example.com/b</link><description>Item without a title about Raqqa. More.</description></item>
<item><title>Bad date \xe9t\xe9</title><pubDate>not a date</pubDate><description>Damascus said so.</description></item>
</channel></rss>
"""  # noqa: E501

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom source</title>
<entry><title type="html">&lt;b&gt;Atom&lt;/b&gt; entry</title>
<link href="https://example.org/atom/1"/><updated>2020-01-02T03:04:05Z</updated>
<author><name>Zed</name></author><summary>Short.</summary>
<content type="html">&lt;p&gt;Full content one.&lt;/p&gt;
&lt;p&gt;Full content two.&lt;/p&gt;</content>
</entry></feed>
"""
