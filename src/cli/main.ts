console.log("koppel")
