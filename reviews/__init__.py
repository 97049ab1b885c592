"""Product reviews by shoppers who received the product: rating, text, the average on the product page."""
