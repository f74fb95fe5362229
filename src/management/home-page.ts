/** The page at `/` until the web UI arrives: it names the product and points at the API. */
export const HOME_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Warren Management</title>
</head>
<body>
<h1>Warren Management</h1>
<p>The management HTTP API, compatible with RabbitMQ's, is served under <a href="/api/overview">/api</a>
(HTTP basic authentication; users need the <code>management</code>, <code>policymaker</code>,
<code>monitoring</code> or <code>administrator</code> tag).</p>
<ul>
<li><a href="/api/overview">/api/overview</a></li>
<li><a href="/api/queues">/api/queues</a></li>
<li><a href="/api/exchanges">/api/exchanges</a></li>
<li><a href="/api/connections">/api/connections</a></li>
</ul>
</body>
</html>
`;
