// Reference frontend for bench/services.sh: Express 4 with an EJS page, calling productcatalog
// through axios on every page view and logging a line per request, as the original Node
// frontend did. Written for the benchmark from the contract; it is not the original's code.
'use strict';
const path = require('path');
const express = require('express');
const axios = require('axios');

const baseUrl = process.env.BASE_URL || 'http://localhost:5000/products/';
const port = Number(process.env.PORT || 9000);
const app = express();
app.set('view engine', 'ejs');
app.set('views', path.join(__dirname, 'views'));
app.use(express.urlencoded({ extended: true }));

app.get('/', (req, res) => {
  axios.get(baseUrl)
    .then((answer) => {
      const details = answer.data.details || {};
      res.set('x-catalogdetail-version', String(details.version));
      res.render('index', { products: answer.data.products || {}, vendors: details.vendors || [], version: details.version });
      console.log('Product Catalog get call was Successful from frontend');
    })
    .catch((error) => {
      console.log(`Product Catalog get call failed: ${error.message}`);
      res.status(502).send('productcatalog is unavailable');
    });
});

app.post('/products', (req, res) => {
  axios.post(`${baseUrl}${encodeURIComponent(req.body.id)}`, { name: req.body.name })
    .then(() => res.redirect(303, '/'))
    .catch((error) => res.status(error.response ? error.response.status : 502).send(error.message));
});

app.get('/ping', (req, res) => res.json('Healthy'));

app.listen(port, '127.0.0.1', () => console.log(`frontend listening on 127.0.0.1:${port}`));
