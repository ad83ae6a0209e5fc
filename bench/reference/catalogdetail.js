// Reference catalogdetail for bench/services.sh: one Express app serving the contract's JSON,
// built the way the original Node service was (Express 4, res.json, a console line per
// request). Written for the benchmark from the contract; it is not the original's code.
'use strict';
const express = require('express');

const version = process.env.CATALOGDETAIL_VERSION || '1';
const port = Number(process.env.PORT || 3000);
const app = express();

app.get('/catalogDetail', (req, res) => {
  console.log(`Catalog Detail Version ${version} Get Request Successful`);
  res.json({ version, vendors: ['ABC.com'] });
});

app.get('/ping', (req, res) => res.json('Healthy'));

app.listen(port, '127.0.0.1', () => console.log(`catalogdetail v${version} listening on 127.0.0.1:${port}`));
