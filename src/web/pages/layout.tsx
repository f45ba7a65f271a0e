/** The page frame shared by the index and the dashboard. hono/jsx escapes every interpolated value. */
import type { Child } from 'hono/jsx';

export function Layout(props: { title: string; admin?: boolean; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="stylesheet" href="/assets/sqsflare.css" />
      </head>
      <body>
        <header>
          <h1>{props.title}</h1>
          <nav>
            <a href="/">Functions</a>
            <a href="/admin">Dashboard</a>
            {props.admin && <a href="/admin/api/registry">JSON</a>}
          </nav>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
